"""Reading the rows of a sheet that passed the safety gate, with python-calamine (7–12× faster than openpyxl).

python-calamine returns every number as a float (``2019.0``), dates as `date`/`datetime`, and empty cells as
``""``. Parsers cast; nothing here interprets a value.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from kechuang.core.imports.safety import GateReport, ImportRejected, SheetInfo, open_source


@dataclass(frozen=True)
class SheetData:
    """A sheet's header row (Excel row 1) and data rows (Excel rows 2, 3, …), every row as wide as the sheet."""

    name: str
    header: list[Any]
    rows: list[list[Any]] = field(repr=False)
    info: SheetInfo = field(repr=False)


def read_sheet(source: Any, gate: GateReport, sheet: str | None = None) -> SheetData:
    """Return the first (or the named) sheet of a workbook that `check_workbook` passed as `gate`.

    Asking for the gate's report is deliberate: python-calamine must never see a file the gate has not passed.
    """
    info = gate.sheet(sheet)
    try:
        workbook = _open(source)
        with workbook:
            names = workbook.sheet_names
            if not names:
                raise ImportRejected("工作簿中没有工作表。")
            calamine_sheet = workbook.get_sheet_by_name(sheet) if sheet else workbook.get_sheet_by_index(0)
            # skip_empty_area=False: row i of the list is Excel row i + 1, whatever the first used cell.
            rows = calamine_sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise ImportRejected("无法读取工作簿：文件已损坏或格式不受支持。请在 Excel 或 WPS 中另存为 .xlsx 后再上传。") from exc
    header = rows[0] if rows else []
    return SheetData(name=sheet or names[0], header=list(header), rows=rows[1:], info=info)


def _open(source: Any) -> CalamineWorkbook:
    if hasattr(source, "temporary_file_path"):  # Django's TemporaryUploadedFile
        return CalamineWorkbook.from_path(source.temporary_file_path())
    if isinstance(source, str | os.PathLike):
        return CalamineWorkbook.from_path(os.fspath(source))
    with open_source(source) as handle:
        # The gate capped the size; reading it whole keeps calamine away from a Python file object's callbacks.
        return CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
