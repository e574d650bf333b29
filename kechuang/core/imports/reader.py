"""Reading the rows of a sheet that passed the safety gate, with python-calamine (7–12× faster than openpyxl).

python-calamine returns every number as a float (``2019.0``), dates as `date`/`datetime`, and empty cells as
``""``. Parsers cast; nothing here interprets a value.

Two ways in: `open_sheet` streams the rows (an import holds each row as Python objects only while it parses it,
not the whole sheet at once), `read_sheet` returns them all (the error workbook sends the user's rows back).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from kechuang.core.imports.safety import GateReport, ImportRejected, SheetInfo, open_source

_UNREADABLE = "无法读取工作簿：文件已损坏或格式不受支持。请在 Excel 或 WPS 中另存为 .xlsx 后再上传。"


@dataclass(frozen=True)
class SheetData:
    """A sheet's header row (Excel row 1) and data rows (Excel rows 2, 3, …), every row as wide as the sheet."""

    name: str
    header: list[Any]
    rows: list[list[Any]] = field(repr=False)
    info: SheetInfo = field(repr=False)


@dataclass
class SheetStream:
    """A sheet's header row and an iterator over its data rows, each as wide as the sheet.

    `rows` yields (Excel row number, cells) from row 2 on, built one at a time from calamine's own copy of the
    sheet; iterate it once.
    """

    name: str
    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]] = field(repr=False)
    info: SheetInfo = field(repr=False)


def read_sheet(source: Any, gate: GateReport, sheet: str | None = None) -> SheetData:
    """Return the first (or the named) sheet of a workbook that `check_workbook` passed as `gate`.

    Asking for the gate's report is deliberate: python-calamine must never see a file the gate has not passed.
    """
    info = gate.sheet(sheet)
    name, calamine_sheet = _sheet(source, sheet)
    try:
        # skip_empty_area=False: row i of the list is Excel row i + 1, whatever the first used cell.
        rows = calamine_sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise ImportRejected(_UNREADABLE) from exc
    header = rows[0] if rows else []
    return SheetData(name=name, header=list(header), rows=rows[1:], info=info)


def open_sheet(source: Any, gate: GateReport, sheet: str | None = None) -> SheetStream:
    """Return the first (or the named) sheet of a workbook the gate passed, its data rows as a stream.

    The rows are the ones `read_sheet` gives (same width, same Excel row numbers); only one of them at a time
    is a Python list, so a 200,000-row sheet never exists twice in memory (calamine's copy and Python's).
    """
    info = gate.sheet(sheet)
    name, calamine_sheet = _sheet(source, sheet)
    start = calamine_sheet.start
    if start is None:  # an empty sheet (calamine's row iterator needs a first cell)
        return SheetStream(name=name, header=[], rows=iter(()), info=info)
    rows = _rows(calamine_sheet, start[1])
    header = next(rows, (1, []))[1]
    return SheetStream(name=name, header=header, rows=rows, info=info)


def _rows(calamine_sheet: Any, first_column: int) -> Iterator[tuple[int, list[Any]]]:
    # calamine's iterator yields blank rows above the first used cell, but starts each row at the first used
    # column: pad it so that index i is Excel column i + 1, as with to_python(skip_empty_area=False).
    rows = enumerate(calamine_sheet.iter_rows(), start=1)
    if not first_column:
        return rows
    pad = [""] * first_column
    return ((number, pad + cells) for number, cells in rows)


def _sheet(source: Any, sheet: str | None) -> tuple[str, Any]:
    try:
        workbook = _open(source)
        with workbook:
            names = workbook.sheet_names
            if not names:
                raise ImportRejected("工作簿中没有工作表。")
            # The sheet keeps its own copy of the cells: closing the workbook does not end it.
            calamine_sheet = workbook.get_sheet_by_name(sheet) if sheet else workbook.get_sheet_by_index(0)
    except CalamineError as exc:
        raise ImportRejected(_UNREADABLE) from exc
    return sheet or names[0], calamine_sheet


def _open(source: Any) -> CalamineWorkbook:
    if hasattr(source, "temporary_file_path"):  # Django's TemporaryUploadedFile
        return CalamineWorkbook.from_path(source.temporary_file_path())
    if isinstance(source, str | os.PathLike):
        return CalamineWorkbook.from_path(os.fspath(source))
    with open_source(source) as handle:
        # The gate capped the size; reading it whole keeps calamine away from a Python file object's callbacks.
        return CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
