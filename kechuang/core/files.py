"""Working files the platform keeps under ``VAR_DIR`` (uploads waiting for a task, error reports, exports)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def work_dir(name: str) -> Path:
    """Return ``VAR_DIR/name``, created if missing."""
    path = Path(settings.VAR_DIR) / name
    path.mkdir(parents=True, exist_ok=True)
    return path
