"""Large screening exports run as a background task (django-tasks; `kechuang db_worker` in production).

Exporting a run words every entry by replaying its facts through the full engine (≈ 0.25 ms an entry): a
province's run of 200,000+ entries takes a minute or more, longer than a web request may (docs/deploy.md,
``--timeout 120``). Runs above ``SYNC_EXPORT_MAX_ROWS`` entries are exported here; the file waits in
``var/exports`` for the session that asked for it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django_tasks import task

from kechuang.core.files import work_dir

EXPORT_KEEP_SECONDS = 24 * 3600  # a finished export is kept for a day, then swept


def export_dir() -> Path:
    return work_dir("exports")


def export_path(token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad export token")
    return export_dir() / f"{token}.xlsx"


@task()
def export_screening_run(run_id: int, user_id: int | None, token: str) -> dict[str, Any]:
    """Write the run's workbook to ``export_path(token)`` and audit the export; return the row count.

    The view enqueues it only for a run in the user's scope (``ScreeningRun.objects.restrict``), and the download
    checks that scope again; the file is found only through the session that started the export."""
    from kechuang.accounts.models import User
    from kechuang.audit.changelog import record_event
    from kechuang.core.context import acting_as
    from kechuang.eligibility.exports import screening_workbook
    from kechuang.eligibility.models import ScreeningRun

    actor = User.objects.filter(pk=user_id).first() if user_id else None
    run = ScreeningRun.objects.get(pk=run_id)
    content, count = screening_workbook(run)
    path = export_path(token)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(path)  # the download never sees half a file
    with acting_as(actor, channel="task"):
        record_event("export", obj=run, actor=actor, message=f"导出筛选结果（{run.programme} {run.year}，后台）",
                     data={"model": "eligibility.screeningrun", "run": run.pk, "rows": count,
                           "rules_version": run.rules_version, "background": True})
    _sweep(export_dir())
    return {"token": token, "rows": count}


def _sweep(directory: Path) -> None:
    """Delete exports older than ``EXPORT_KEEP_SECONDS`` (SECURITY.md: no enterprise data left lying about)."""
    limit = time.time() - EXPORT_KEEP_SECONDS
    for old in directory.glob("*.xlsx"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)
