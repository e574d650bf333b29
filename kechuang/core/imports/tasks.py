"""Large imports run as a background task (django-tasks; `kechuang db_worker` in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_tasks import task

from kechuang.core.imports.registry import schema_for


@task()
def import_workbook(kind: str, path: str, user_id: int | None, filename: str) -> dict[str, Any]:
    """Run the import of the stored upload `path`; return counts and the first 200 errors (JSON-safe)."""
    from kechuang.accounts.models import User
    from kechuang.core.imports.pipeline import run_import
    from kechuang.core.imports.safety import ImportRejected

    actor = User.objects.filter(pk=user_id).first() if user_id else None
    upload = Path(path)
    try:
        result = run_import(schema_for(kind), upload, actor=actor, filename=filename)
    except ImportRejected as exc:
        return {"rejected": exc.message, "created": 0, "updated": 0, "unchanged": 0, "errors": []}
    finally:
        upload.unlink(missing_ok=True)  # SECURITY.md I1: no upload left behind
    return {"rejected": "", "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "error_count": result.error_count,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:200]]}
