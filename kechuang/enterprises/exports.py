"""Fast exports of the registry in exactly the import templates' shape, so export → import round-trips.

Rows are read as tuples (`values_list`) and written with xlsxwriter in `constant_memory` mode; strings are
never turned into formulas (SECURITY.md F8).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db.models import QuerySet

from kechuang.enterprises.choices import (
    HighTechField,
    IPStatus,
    IPType,
    ListingStatus,
    Ownership,
    QualificationStatus,
)
from kechuang.enterprises.imports import ANNUAL_FIGURES, SCHEMAS
from kechuang.enterprises.models import Enterprise, EnterpriseYear, IntellectualProperty, Qualification


def _labels(choices: Any) -> Callable[[Any], str]:
    table = {str(code): str(label) for code, label in choices.choices}
    return lambda value: table.get(str(value), "") if value not in (None, "") else ""


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ExportSpec:
    """Which rows, which columns (database paths in template order) and how each value is shown."""

    model: Any
    paths: tuple[str, ...]
    show: dict[str, Callable[[Any], Any]]
    region_path: str
    year_filter: Callable[[QuerySet, int], QuerySet] | None = None


SPECS: dict[str, ExportSpec] = {
    "enterprises": ExportSpec(
        Enterprise,
        ("uscc", "name", "region_id", "registered_on", "registered_capital", "ownership", "industry_code",
         "hightech_field", "listing_status", "address"),
        {"ownership": _labels(Ownership), "hightech_field": _labels(HighTechField),
         "listing_status": _labels(ListingStatus)},
        "region_id",
    ),
    "annual": ExportSpec(
        EnterpriseYear, ("enterprise__uscc", "year", *(key for key, _h, _p in ANNUAL_FIGURES)), {},
        "enterprise__region_id", lambda qs, year: qs.filter(year=year),
    ),
    "ip": ExportSpec(
        IntellectualProperty,
        ("enterprise__uscc", "ip_type", "number", "title", "applied_on", "granted_on", "status"),
        {"ip_type": _labels(IPType), "status": _labels(IPStatus)},
        "enterprise__region_id", lambda qs, year: qs.filter(granted_on__year=year),
    ),
    "qualifications": ExportSpec(
        Qualification,
        ("enterprise__uscc", "kind__code", "number", "granted_on", "valid_from", "valid_to", "batch", "status"),
        {"status": _labels(QualificationStatus)},
        "enterprise__region_id", lambda qs, year: qs.valid_on(date(year, 12, 31)),
    ),
}


def export_queryset(kind: str, queryset: QuerySet, *, region: str | None = None, year: int | None = None
                    ) -> QuerySet:
    """Return `queryset` narrowed to the region subtree `region` and the year `year` (per kind)."""
    spec = SPECS[kind]
    if region:
        low, high = region.ljust(12, "0"), region.ljust(12, "9")
        queryset = queryset.filter(**{f"{spec.region_path}__gte": low, f"{spec.region_path}__lte": high})
    if year is not None:
        if spec.year_filter is None:
            raise ValueError("企业信息导出不按年度筛选，请去掉 --year。")
        queryset = spec.year_filter(queryset, year)
    return queryset


def rows_of(kind: str, queryset: QuerySet) -> Iterable[list[Any]]:
    """Yield export rows (template column order) for `queryset`, as plain values."""
    spec = SPECS[kind]
    shows = [spec.show.get(path) for path in spec.paths]
    for row in queryset.order_by("pk").values_list(*spec.paths).iterator(chunk_size=5000):
        yield [show(v) if show else _plain(v) for show, v in zip(shows, row, strict=True)]


def write_export(kind: str, queryset: QuerySet, out: Path | str) -> int:
    """Write `queryset` as the `kind` import template to `out`; return the number of data rows."""
    headers = [column.header for column in SCHEMAS[kind].columns]
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(SCHEMAS[kind].label[:31])
    sheet.write_row(0, 0, headers)
    count = 0
    for count, row in enumerate(rows_of(kind, queryset), start=1):
        for col, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(count, col, value)
            elif value != "":
                sheet.write_number(count, col, value)
    workbook.close()
    return count
