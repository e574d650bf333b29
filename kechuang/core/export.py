"""Export of any list to .xlsx through the list's own table and filter (SECURITY.md F8, F9).

Strings are always written as strings (`strings_to_formulas=False`), so a value such as
`=HYPERLINK("http://x","y")` arrives in Excel/WPS as text, never as a live formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

def cell_value(value: Any) -> Any:
    """Return a value xlsxwriter writes faithfully: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "数据",
               title: str = "") -> tuple[bytes, int]:
    """Return an .xlsx workbook (as bytes) with one header row and the given rows, and the row count."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    if title:
        workbook.set_properties({"title": title})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    worksheet.write_row(0, 0, list(headers), bold)
    worksheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        worksheet.write_row(count, 0, [cell_value(v) for v in row])
    worksheet.set_column(0, max(len(headers) - 1, 0), 16)
    workbook.close()
    return buffer.getvalue(), count


def table_rows(table: Any) -> tuple[list[str], Iterable[list[Any]]]:
    """Return the headers and the value rows of a django-tables2 table, without its UI-only columns."""
    values = table.as_values(exclude_columns=getattr(table, "exclude_from_export", ()))
    iterator = iter(values)
    headers = [str(h) for h in next(iterator)]
    return headers, iterator
