"""State changes of the regions app: loading the division tree from the shipped data files."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from kechuang.audit.changelog import log_bulk_changes, record_event, snapshot_values
from kechuang.core.context import acting_as
from kechuang.regions.choices import RegionKind, RegionLevel
from kechuang.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
NATIONAL_FILE = DATA_DIR / "regions_cn.csv"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str | None = None  # None: keep what the bureau set (a new region is administrative)


def read_region_file(path: Path) -> list[RegionRow]:
    """Return the rows of a region data file (comment lines start with `#`)."""
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return [
            RegionRow(r["code"], r["name"], RegionLevel(r["level"]).value, r["parent_code"] or None,
                      r.get("kind") or None)
            for r in csv.DictReader(lines)
        ]


def street_file(city_prefix: str) -> Path:
    """Return the shipped township/street file of the city with 4-digit prefix `city_prefix`."""
    return DATA_DIR / f"streets_{city_prefix}.csv"


def _fields(row: RegionRow, current: dict[str, Any] | None) -> dict[str, Any]:
    """Return the stored fields for `row`; short name and (unless the row names one) kind stay as they are."""
    kept_kind = current["kind"] if current else RegionKind.ADMINISTRATIVE
    return {"code": row.code, "name": row.name, "short_name": current["short_name"] if current else "",
            "level": row.level, "kind": row.kind or kept_kind, "parent_id": row.parent_code}


@transaction.atomic
def load_regions(rows: Iterable[RegionRow], *, actor: Any, source: str) -> dict[str, int]:
    """Create or update regions from `rows` (parents before children); return created/updated/unchanged counts.

    A bulk path: one query to read, bulk writes, and the change log written in bulk in the same transaction.
    """
    rows = sorted(rows, key=lambda r: r.code)
    existing = {r["code"]: r for r in Region.objects.values("code", "name", "short_name", "level", "kind",
                                                               "parent_id")}
    creates, updates, changes = [], [], []
    for row in rows:
        current = existing.get(row.code)
        wanted = _fields(row, current)
        if current is None:
            creates.append(Region(**wanted))
            changes.append(("create", row.code, None, snapshot_values(Region, wanted)))
        elif wanted != current:
            updates.append(Region(**wanted))
            changes.append(("update", row.code, snapshot_values(Region, current), snapshot_values(Region, wanted)))
    with acting_as(actor, channel="command"):
        # _base_manager: a plain queryset, so bulk_update does not log a second time through update().
        Region._base_manager.bulk_create(creates, batch_size=500)
        Region._base_manager.bulk_update(updates, ["name", "level", "kind", "parent"], batch_size=500)
        log_bulk_changes(Region, changes)
        counts = {"created": len(creates), "updated": len(updates),
                  "unchanged": len(rows) - len(creates) - len(updates)}
        record_event("regions.loaded", message=f"导入行政区划：{source}", data={"source": source, **counts})
    return counts
