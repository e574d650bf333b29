"""The import safety gate refuses hostile workbooks before any parser sees them (SECURITY.md F1–F6)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core.imports.pipeline import run_import
from kechuang.core.imports.region_schema import RegionImportSchema
from kechuang.core.imports.safety import Limits, UnsafeWorkbook, check_workbook
from kechuang.core.tests import fixtures_xlsx as fx

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="session")
def bomb(tmp_path_factory) -> Path:
    """≈ 300 MB of sheet XML in a file of under 1 MB (built once per test run)."""
    return fx.zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")


@pytest.fixture(scope="session")
def lying_bomb(tmp_path_factory, bomb) -> Path:
    """The same bomb, its zip directory claiming the sheet inflates to 1,000 bytes."""
    path = tmp_path_factory.mktemp("lying") / "lying.xlsx"
    path.write_bytes(bomb.read_bytes())
    return fx.lie_about_size(path, "xl/worksheets/sheet1.xml", 1000)


def _encrypted(path: Path) -> Path:
    fx.raw_xlsx(path)
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    while central != -1:
        flags = struct.unpack_from("<H", data, central + 8)[0]
        struct.pack_into("<H", data, central + 8, flags | 0x1)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def _not_a_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def _doctype_after_long_comment(path: Path) -> Path:
    padding = "<!--" + "x" * 10_000 + "-->"
    return fx.raw_xlsx(path, sheet=fx.sheet_xml("", prolog=padding + fx.LAUGHS))


def _utf16_doctype(path: Path) -> Path:
    return fx.raw_xlsx(path, sheet=fx.sheet_xml("", prolog=fx.LAUGHS).replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))


def _dimension_bomb(path: Path) -> Path:
    return fx.raw_xlsx(path, sheet=fx.sheet_xml("", dimension="A1:XFD1048576"))


def _attribute_order_bomb(path: Path) -> Path:
    return fx.raw_xlsx(path, sheet=fx.sheet_xml('<row r="1"><c s="0" r="XFD1"><v>1</v></c></row>'))


def _prefixed_bomb(path: Path) -> Path:
    sheet = fx.sheet_xml('<row r="1"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                         'r="XFD1"><x:v>1</x:v></x:c></row>')
    return fx.raw_xlsx(path, sheet=sheet)


def _cells_without_reference(path: Path) -> Path:
    return fx.raw_xlsx(path, sheet=fx.sheet_xml('<row r="1">' + "<c><v>1</v></c>" * 250 + "</row>"))


def _ole2(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    return path


def _truncated(path: Path) -> Path:
    fx.raw_xlsx(path)
    path.write_bytes(path.read_bytes()[:200])
    return path


HOSTILE = {
    "exe renamed .xlsx": (fx.exe_renamed, "扩展名不符"),
    "legacy .xls / encrypted OLE2": (_ole2, ".xls"),
    "truncated zip": (_truncated, "损坏"),
    "zip without a workbook": (_not_a_workbook, "不是 Excel 工作簿"),
    "macro-enabled (.xlsm renamed)": (fx.macro_enabled, "宏"),
    "encrypted parts": (_encrypted, "加密"),
    "entities in sheet1.xml": (fx.entity_sheet, "DOCTYPE"),
    "entities in workbook.xml": (fx.entity_workbook, "DOCTYPE"),
    "DOCTYPE behind a long comment": (_doctype_after_long_comment, "DOCTYPE"),
    "DOCTYPE in UTF-16": (_utf16_doctype, "DOCTYPE"),
    "sparse cell bomb XFD1048576": (fx.sparse_bomb, "上限"),
    "dimension bomb": (_dimension_bomb, "上限"),
    "cell reference not first attribute": (_attribute_order_bomb, "上限"),
    "namespace-prefixed cell": (_prefixed_bomb, "上限"),
    "cells without references": (_cells_without_reference, "上限"),
}


@pytest.mark.parametrize("make, phrase", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_files_are_refused_before_python_calamine_sees_them(tmp_path, make, phrase):
    path = make(tmp_path / "upload.xlsx")
    with mock.patch("kechuang.core.imports.reader.CalamineWorkbook") as calamine, \
            pytest.raises(UnsafeWorkbook) as refused:
        run_import(RegionImportSchema, path, actor=None)
    assert phrase in refused.value.message
    assert CJK.search(refused.value.message)
    calamine.from_path.assert_not_called()
    calamine.from_filelike.assert_not_called()


@pytest.mark.parametrize("fixture", ["bomb", "lying_bomb"])
def test_zip_bombs_are_refused_by_what_they_really_inflate_to(request, fixture):
    path = request.getfixturevalue(fixture)
    with mock.patch("kechuang.core.imports.reader.CalamineWorkbook") as calamine, \
            pytest.raises(UnsafeWorkbook, match="压缩"):
        run_import(RegionImportSchema, path, actor=None)
    calamine.from_path.assert_not_called()


def test_the_total_uncompressed_size_is_capped_even_at_a_plausible_ratio(tmp_path):
    sheet = fx.sheet_xml("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 5000)))
    path = fx.raw_xlsx(tmp_path / "big.xlsx", sheet=sheet)
    with pytest.raises(UnsafeWorkbook, match="解压后超过"):
        check_workbook(path, Limits(max_total_uncompressed=len(sheet) // 2))


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = fx.raw_xlsx(tmp_path / "ok.xlsx")
    with pytest.raises(UnsafeWorkbook, match="文件过大"):
        check_workbook(path, Limits(max_bytes=100))


def test_too_many_parts_are_refused(tmp_path):
    path = fx.raw_xlsx(tmp_path / "many.xlsx", extra_parts={f"xl/media/{n}.bin": b"x" for n in range(5)})
    with pytest.raises(UnsafeWorkbook, match="部件过多"):
        check_workbook(path, Limits(max_entries=8))


def test_columns_and_the_dense_area_are_limited(tmp_path):
    wide = fx.make_workbook(tmp_path / "wide.xlsx", [list(range(30)), list(range(30))])
    with pytest.raises(UnsafeWorkbook, match="列数"):
        check_workbook(wide, Limits(max_columns=20))
    with pytest.raises(UnsafeWorkbook, match="数据区域过大"):
        check_workbook(wide, Limits(max_cells=40))


def test_a_plain_workbook_passes_with_its_sheets_size_and_formula_cells(tmp_path):
    path = fx.make_workbook(tmp_path / "plain.xlsx", [["a", "b", "c"], [1, "x", fx.Formula("=1+1", 3)], [2, "y", 3]],
                            sheet="企业")
    report = check_workbook(path)
    assert report.sheet_names == ["企业"]
    assert (report.sheet().max_row, report.sheet().max_column) == (3, 3)
    assert report.formula_cells == {(2, 3)}
    assert report.size == path.stat().st_size


def test_the_gate_reads_bytes_file_objects_and_uploaded_files_alike(tmp_path):
    path = fx.make_workbook(tmp_path / "plain.xlsx", [["a"], [1]])
    content = path.read_bytes()
    upload = SimpleUploadedFile("plain.xlsx", content)
    reports = [check_workbook(source) for source in (path, str(path), content, io.BytesIO(content), upload)]
    assert {(r.sheet().max_row, r.sheet().max_column) for r in reports} == {(2, 1)}
    assert upload.tell() == 0


def test_formula_cells_are_found_in_canonical_and_unusual_markup(tmp_path):
    cells = ('<row r="4"><c r="B4"><f>1+1</f><v>3</v></c><c s="0" r="C4"><f t="shared" si="0"/><v>2</v></c>'
             "<c><v>5</v></c></row>")
    path = fx.raw_xlsx(tmp_path / "formulas.xlsx", sheet=fx.sheet_xml(cells))
    assert check_workbook(path).formula_cells == {(4, 2), (4, 3)}


def test_a_corrupt_deflate_stream_is_refused_as_damaged(tmp_path):
    path = fx.raw_xlsx(tmp_path / "corrupt.xlsx", sheet=fx.sheet_xml("<row r=\"1\"></row>" * 500))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 5: start + 40] = b"\xff" * 35
    path.write_bytes(bytes(data))
    with pytest.raises(UnsafeWorkbook, match="损坏"):
        check_workbook(path)


def test_a_sheet_full_of_formulas_is_refused(tmp_path):
    cells = "".join(f'<row r="{r}"><c r="A{r}"><f>1+1</f><v>2</v></c></row>' for r in range(1, 6))
    path = fx.raw_xlsx(tmp_path / "formulas.xlsx", sheet=fx.sheet_xml(cells))
    with pytest.raises(UnsafeWorkbook, match="大量公式"):
        check_workbook(path, Limits(max_formula_cells=3))


def test_a_workbook_the_gate_passes_but_the_reader_cannot_parse_is_refused(tmp_path, db):
    from kechuang.core.imports.safety import ImportRejected

    path = fx.raw_xlsx(tmp_path / "broken.xlsx", sheet=fx.sheet_xml('<row r="1"><c r="A1" t="s"><v>7</v></c></row>'))
    with pytest.raises(ImportRejected, match="无法读取工作簿"):
        run_import(RegionImportSchema, path, actor=None)


# --- the sheet scanner's plain-row path -------------------------------------------------------------------------


def _random_sheet(rng) -> bytes:
    """Sheet data mixing plain rows with every kind of row that is not plain (formulas, inline strings,
    self-closing or prefixed cells, cells without a reference, a cell in another row or far to the right,
    empty rows, odd attributes), rows in or out of order."""
    def letters(column: int) -> str:
        text = ""
        while column:
            column, remainder = divmod(column - 1, 26)
            text = chr(65 + remainder) + text
        return text

    parts = []
    row = 0
    for _ in range(rng.randint(1, 60)):
        row = row + rng.choice([1, 1, 1, 2, 30]) if rng.random() < 0.95 else rng.randint(1, 5000)
        width = rng.choice([1, 3, 8, 26, 30])
        cells = []
        for column in sorted(rng.sample(range(1, width + 1), rng.randint(1, width))):
            ref = f"{letters(column)}{row}"
            kind = rng.random()
            if kind < 0.85:
                attributes = rng.choice(["", ' t="s"', ' s="3"', ' s="1" t="n"'])
                cells.append(f'<c r="{ref}"{attributes}><v>{rng.randint(0, 999)}.5</v></c>')
            elif kind < 0.86:
                cells.append(f'<c r="{ref}"></c>')
            elif kind < 0.87:
                cells.append(f'<c r="{ref}"><f>A1+1</f><v>2</v></c>')
            elif kind < 0.88:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>x&lt;y</t></is></c>')
            elif kind < 0.89:
                cells.append(f'<c r="{ref}" s="1"/>')
            elif kind < 0.91:
                cells.append("<c><v>7</v></c>")
            elif kind < 0.93:
                cells.append(f'<x:c r="{ref}"><x:v>1</x:v></x:c>')
            elif kind < 0.95:
                cells.append(f'<c r="{letters(column)}{rng.randint(1, 9000)}"><v>1</v></c>')
            elif kind < 0.97:
                cells.append(f'<c s="2" r="{ref}"><v>1</v></c>')
            else:
                cells.append(f'<c r="{letters(column + rng.randint(1, 40))}{row}"><v>1</v></c>')
        attributes = rng.choice(["", ' spans="1:8"', ' ht="15" customHeight="1"', ' x14ac:dyDescent="0.25"'])
        if rng.random() < 0.03:
            parts.append(f'<row r="{row}"{attributes}/>')
        else:
            parts.append(f'<row r="{row}"{attributes}>{"".join(cells)}</row>')
    return "".join(parts).encode()


def _scan(data: bytes, pieces: list[int], limits: Limits, *, plain_rows: bool, dimension: bytes,
          taken: list[bool] | None = None) -> Any:
    from kechuang.core.imports.safety import _SheetScanner

    scanner = _SheetScanner(limits, "xl/worksheets/sheet1.xml")
    feed = scanner.feed if plain_rows else scanner._feed
    if taken is not None:
        plain = scanner._feed_plain_rows
        scanner._feed_plain_rows = lambda part: taken.append(plain(part)) or taken[-1]
    try:
        scanner.dimension(dimension)
        start = 0
        for cut in [*pieces, len(data)]:  # pieces end at a ">", as `_scan_sheet` cuts them
            feed(data[start:cut])
            start = cut
    except UnsafeWorkbook:
        return "refused"
    info = scanner.result()
    return info.max_row, info.max_column, info.formula_cells, scanner.row, scanner.column


def test_the_plain_row_path_finds_what_the_cell_by_cell_paths_find():
    """Fed the same pieces, the scanner with its plain-row path ends where the original paths end (same largest
    row and column, formula cells and position), and refuses the same sheets."""
    import random

    rng = random.Random(20261123)
    taken: list[bool] = []
    for case in range(400):
        data = _random_sheet(rng)
        closes = [i + 1 for i, byte in enumerate(data) if byte == ord(">")]
        pieces = sorted(rng.sample(closes, min(len(closes), rng.randint(0, 6))))
        dimension = rng.choice([b"", b'<dimension ref="A1"/>', b'<dimension ref="A1:H40"/>',
                                b'<dimension ref="A1:Z5000"/>'])
        limits = Limits() if case % 4 else Limits(max_rows=3000, max_columns=28, max_cells=60_000,
                                                   max_formula_cells=3)
        expected = _scan(data, pieces, limits, plain_rows=False, dimension=dimension)
        assert _scan(data, pieces, limits, plain_rows=True, dimension=dimension, taken=taken) == expected, (case, data)
    assert taken.count(True) > 80 and taken.count(False) > 80  # both ways were taken, many times


def test_a_large_plain_sheet_is_scanned_like_an_unusual_one(tmp_path):
    """Thousands of plain rows (the fast path) with an unusual row among them, in the gate proper."""
    rows = "".join(f'<row r="{r}" spans="1:3"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}"><v>{r}.25</v></c>'
                   f'<c r="C{r}" s="1"><v>{r}</v></c></row>' for r in range(1, 30_001))
    odd = '<row r="30001"><c r="A30001"><f>1+1</f><v>2</v></c><c r="E30001" t="inlineStr"><is><t>x</t></is></c></row>'
    path = fx.raw_xlsx(tmp_path / "plain.xlsx", sheet=fx.sheet_xml(rows + odd, dimension="A1:C2"))
    report = check_workbook(path)
    assert (report.sheet().max_row, report.sheet().max_column) == (30001, 5)
    assert report.formula_cells == {(30001, 1)}
    with pytest.raises(UnsafeWorkbook, match="行数"):
        check_workbook(path, Limits(max_rows=29_999))
