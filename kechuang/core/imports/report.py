"""Error reports of an import: "第 12 行 · 字段: 原因" lines, and the uploaded rows with a 错误说明 column.

The workbook is the user's own data sent back: every value is written as a value (`strings_to_formulas` off,
SECURITY.md F8), row numbers are kept, and the cells at fault are highlighted. Uploading it again after fixing
the rows works: the import ignores the 错误说明 column.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import time, timedelta
from typing import Any

import xlsxwriter

from kechuang.core.export import cell_value
from kechuang.core.imports.pipeline import ERROR_COLUMN, RowError


def format_error(error: RowError) -> str:
    """Return one error as "第 N 行 · 列名: 原因" (without the column when the error is about the whole row)."""
    if error.row <= 0:
        return error.message
    if error.column:
        return f"第 {error.row} 行 · {error.column}: {error.message}"
    return f"第 {error.row} 行: {error.message}"


def format_errors(errors: Iterable[RowError]) -> list[str]:
    """Return every error as a line for the page."""
    return [format_error(e) for e in errors]


def error_workbook(original_rows: Sequence[Sequence[Any]], headers: Sequence[Any], errors: Iterable[RowError],
                   *, sheet: str = "错误报告") -> bytes:
    """Return an .xlsx: the header row and the uploaded rows (Excel row N stays row N) plus a 错误说明 column."""
    by_row: dict[int, list[RowError]] = defaultdict(list)
    for error in errors:
        by_row[error.row].append(error)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    bad = workbook.add_format({"bg_color": "#FDE2E1"})
    note = workbook.add_format({"font_color": "#B42318", "text_wrap": True})
    header_texts = [_text(h) for h in headers]
    place = {text: index for index, text in enumerate(header_texts) if text}
    width = len(header_texts)
    worksheet.write_row(0, 0, header_texts, bold)
    worksheet.write(0, width, ERROR_COLUMN, bold)
    worksheet.set_column(0, max(width - 1, 0), 16)
    worksheet.set_column(width, width, 60)
    _write_note(worksheet, 0, width, by_row.get(1, []), note)
    for offset, cells in enumerate(original_rows):
        row = offset + 2
        row_errors = by_row.get(row, [])
        marked = {place[e.column] for e in row_errors if e.column in place}
        for column, value in enumerate(list(cells)[:width]):
            worksheet.write(row - 1, column, _value(value), bad if column in marked else None)
        _write_note(worksheet, row - 1, width, row_errors, note)
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _write_note(worksheet: Any, row: int, column: int, errors: list[RowError], note: Any) -> None:
    if errors:
        worksheet.write_string(row, column, "；".join(
            f"{e.column}: {e.message}" if e.column else e.message for e in errors), note)


def _value(value: Any) -> Any:
    return str(value) if isinstance(value, time | timedelta) else cell_value(value)


def _text(value: Any) -> str:
    return "" if value is None else str(cell_value(value))
