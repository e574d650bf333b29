"""Safety gate (安全检查) for uploaded .xlsx files: run before any parser sees the file (SECURITY.md F1–F6).

python-calamine is fast, but it trusts the file: a sheet with a single cell at ``XFD1048576`` makes it build a
dense range of 17 billion cells and abort the process, and it parses whatever XML it is given. So every upload
passes `check_workbook` first, which looks at the bytes only:

* size, magic bytes (``PK\\x03\\x04``; an OLE2 file is an old .xls or an encrypted workbook), a zip that opens;
* ``[Content_Types].xml`` names a spreadsheetml workbook main part, nothing macro-enabled, no ``vbaProject.bin``;
* at most `max_entries` parts, none encrypted, only stored or deflated;
* every part is inflated here with our own zlib reader, counting what comes out: the sizes written in the zip
  directory can lie, so the ratio and total limits apply to what the data really expands to;
* no XML part declares a ``<!DOCTYPE`` or ``<!ENTITY`` (OOXML never needs one: XXE, billion laughs);
* every worksheet is streamed once to find its largest cell reference (rows, columns, dense area) and the
  cells holding formulas, which imports refuse (F6: a cached value can be forged). Plain rows (every cell in its
  row, a value at most, in a column already seen) are recognised by one regex, a row at a time; anything else is
  followed cell by cell (`_SheetScanner`).

The gate raises `UnsafeWorkbook` with a message for the user, and returns a small `GateReport`.
"""

from __future__ import annotations

import functools
import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import IO, Any

from defusedxml import ElementTree as SafeET

MB = 1024 * 1024

SPREADSHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SHEET_REL_TYPES = ("/worksheet", "/dialogsheet", "/macrosheet", "/chartsheet")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class ImportRejected(Exception):
    """A file the import refuses as a whole (not row by row); `message` is for the user, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsafeWorkbook(ImportRejected):
    """The upload is not a plain, safe .xlsx workbook within the limits."""


# The default size cap of an import file, in MB: a 200,000-row annual workbook is ≈ 28 MB, and past ≈ 40–50 MB
# a workbook of figures inflates beyond `max_total_uncompressed` anyway (docs/decisions/0008-import-size-cap.md).
# Deployments set it with KECHUANG_IMPORT_MAX_MB (settings.KECHUANG_IMPORT_MAX_MB).
DEFAULT_IMPORT_MAX_MB = 50


@dataclass(frozen=True)
class Limits:
    """Limits of the gate; the defaults suit a bureau's uploads (SECURITY.md F2, F3, F5)."""

    max_bytes: int = DEFAULT_IMPORT_MAX_MB * MB
    max_entries: int = 1000
    max_ratio: int = 100
    ratio_exempt_below: int = MB  # a part that inflates to less than this cannot be a bomb
    max_total_uncompressed: int = 200 * MB
    max_rows: int = 1_100_000
    max_columns: int = 200
    # python-calamine holds the dense range of a sheet (≈ 32 bytes a cell) before we see a row.
    max_cells: int = 12_000_000
    max_formula_cells: int = 100_000
    xml_prolog_bytes: int = 4096


DEFAULT_LIMITS = Limits()


def import_max_bytes() -> int:
    """Return the size cap of an import file: `settings.KECHUANG_IMPORT_MAX_MB` (default 50) megabytes."""
    from django.conf import settings

    return int(getattr(settings, "KECHUANG_IMPORT_MAX_MB", DEFAULT_IMPORT_MAX_MB)) * MB


def default_limits() -> Limits:
    """Return the gate's limits for an import: the defaults, with the configured size cap. Only the size of the
    file itself is configurable: the decompression, cell and formula limits stay as they are."""
    return replace(DEFAULT_LIMITS, max_bytes=import_max_bytes())


@dataclass(frozen=True)
class SheetInfo:
    """One sheet as the gate saw it: rows and columns are 1-based Excel numbers (0 when the sheet is empty)."""

    name: str
    part: str
    max_row: int = 0
    max_column: int = 0
    formula_cells: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class GateReport:
    """What the gate found in a workbook that passed it."""

    sheets: tuple[SheetInfo, ...]
    size: int

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str | None = None) -> SheetInfo:
        """Return the named sheet, or the first one."""
        if name is None:
            if not self.sheets:
                raise UnsafeWorkbook("工作簿中没有工作表。")
            return self.sheets[0]
        for info in self.sheets:
            if info.name == name:
                return info
        raise ImportRejected(f"工作簿中没有名为“{name}”的工作表。")

    @property
    def formula_cells(self) -> frozenset[tuple[int, int]]:
        """Return the (row, column) of every formula cell of the first sheet (1-based)."""
        return self.sheet().formula_cells


# --- the file itself ----------------------------------------------------------------------------------------


@contextmanager
def open_source(source: Any) -> Iterator[IO[bytes]]:
    """Yield a seekable binary file for a path, bytes, or a file object (an UploadedFile, say), rewound."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield handle
        return
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(bytes(source))
        return
    source.seek(0)
    try:
        yield source
    finally:
        source.seek(0)


def _size_of(handle: IO[bytes]) -> int:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def check_workbook(source: Any, limits: Limits = DEFAULT_LIMITS) -> GateReport:
    """Check an uploaded .xlsx without parsing it; raise UnsafeWorkbook, or return what was found."""
    with open_source(source) as handle:
        size = _size_of(handle)
        if size > limits.max_bytes:
            raise UnsafeWorkbook(f"文件过大（{size / MB:.1f} MB），导入文件不能超过 {limits.max_bytes // MB} MB。")
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(OLE2_MAGIC):
            raise UnsafeWorkbook("这是旧版 .xls 文件或设置了密码的工作簿，无法导入。"
                                 "请在 Excel 或 WPS 中另存为不设密码的“Excel 工作簿 (*.xlsx)”后再上传。")
        if not head.startswith(ZIP_MAGIC):
            raise UnsafeWorkbook("文件内容不是 .xlsx 格式的 Excel 工作簿（文件内容与扩展名不符）。"
                                 "请在 Excel 或 WPS 中另存为“Excel 工作簿 (*.xlsx)”后再上传。")
        try:
            with zipfile.ZipFile(handle) as archive:
                sheets = _Inspection(archive, handle, limits).run()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error, KeyError,
                ValueError) as exc:
            raise UnsafeWorkbook("文件已损坏，无法作为 .xlsx 工作簿打开。") from exc
    return GateReport(sheets=sheets, size=size)


# --- inside the zip ------------------------------------------------------------------------------------------

CHUNK = MB
HEAD_BYTES = 64 * 1024  # the prolog, and the <dimension> element that comes before the sheet data

# Canonical cells as every mainstream writer emits them: `<c r="B7" …>`, no namespace prefix. Anything else —
# a prefix, another attribute first, odd whitespace, no `r` — sends that piece of the sheet to the exact (slower)
# scanner. The fast path only runs C-level searches: ≈ 15 ms per MB of sheet XML.
CELL_ROW = re.compile(rb'<c r="[A-Z]+([0-9]+)"')
CELL_COLUMN = re.compile(rb'<c r="([A-Z]+)[0-9]')
NON_CANONICAL_CELL = re.compile(rb'<c(?! r=")[\s/>]')
PREFIXED = re.compile(rb":[cf][\s/>]")
FORMULA = re.compile(rb"[<:]f[\s/>]")
LAST_CELL_REF = re.compile(rb'[<:]c\s[^>]*?\br="([A-Za-z]+)([0-9]+)"[^>]*>')
DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref="\$?([A-Za-z]+)\$?([0-9]+)(?::\$?([A-Za-z]+)\$?([0-9]+))?"')
# Exact scanner: row and cell start tags in document order, as python-calamine positions them.
TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
REF_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*["\']([^"\']*)["\']')
REF = re.compile(rb"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def column_number(letters: bytes | str) -> int:
    """Return the 1-based column number of Excel column letters (A → 1, XFD → 16384)."""
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + ord(ch) - 64
    return number


class _Inspection:
    """One pass over a zip: directory checks, the workbook structure, then every part inflated and counted."""

    def __init__(self, archive: zipfile.ZipFile, handle: IO[bytes], limits: Limits) -> None:
        self.archive, self.handle, self.limits = archive, handle, limits
        self.total = 0

    def run(self) -> tuple[SheetInfo, ...]:
        infos = self.archive.infolist()
        self._check_directory(infos)
        by_name = {i.filename.lower(): i for i in infos}
        main = self._main_part(by_name)
        sheet_parts = self._sheet_parts(by_name, main)
        to_scan = {part for _, part in sheet_parts}
        found: dict[str, SheetInfo] = {}
        for info in infos:
            if info.is_dir():
                continue
            if info.filename.lower() in to_scan:
                found[info.filename.lower()] = self._scan_sheet(info)
            else:
                self._drain(info)
        return tuple(
            SheetInfo(name, part, found[part].max_row, found[part].max_column, found[part].formula_cells)
            if part in found else SheetInfo(name, part)
            for name, part in sheet_parts if name is not None
        )

    # directory ------------------------------------------------------------------------------------------------

    def _check_directory(self, infos: list[zipfile.ZipInfo]) -> None:
        limits = self.limits
        if len(infos) > limits.max_entries:
            raise UnsafeWorkbook(f"文件内部部件过多（{len(infos)} 个，上限 {limits.max_entries} 个），疑似异常文件，已拒绝。")
        declared = 0
        for info in infos:
            if info.filename.lower().endswith("vbaproject.bin"):
                raise UnsafeWorkbook(_MACROS)
            if info.flag_bits & 0x1:
                raise UnsafeWorkbook("文件包含加密的部件，无法导入。请取消密码后另存为 .xlsx 再上传。")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnsafeWorkbook("文件使用了不支持的压缩方式，无法导入。请在 Excel 或 WPS 中重新另存为 .xlsx。")
            self._check_ratio(info, info.file_size)
            declared += info.file_size
        if declared > limits.max_total_uncompressed:
            raise UnsafeWorkbook(_too_big(limits))

    def _check_ratio(self, info: zipfile.ZipInfo, inflated: int) -> None:
        if inflated < self.limits.ratio_exempt_below:
            return
        if inflated > max(info.compress_size, 1) * self.limits.max_ratio:
            raise UnsafeWorkbook("文件压缩比异常（疑似“压缩炸弹”），已拒绝。")

    # structure: content types → workbook → its relationships → sheets -----------------------------------------

    def _read_small(self, info: zipfile.ZipInfo, cap: int = 8 * MB) -> bytes:
        data = bytearray()
        for chunk in self._inflate(info, count=False):
            data += chunk
            if len(data) > cap:
                raise UnsafeWorkbook("工作簿结构部件过大，疑似异常文件，已拒绝。")
        return bytes(data)

    def _parse_xml(self, info: zipfile.ZipInfo) -> Any:
        data = self._read_small(info)
        self._check_prolog(data, info.filename)
        try:
            return SafeET.fromstring(data)
        except Exception as exc:  # defusedxml's refusals and expat's syntax errors alike
            raise UnsafeWorkbook(f"工作簿结构部件“{info.filename}”无法解析，文件可能已损坏。") from exc

    def _main_part(self, by_name: dict[str, zipfile.ZipInfo]) -> str:
        info = by_name.get("[content_types].xml")
        if info is None:
            raise UnsafeWorkbook(_NOT_WORKBOOK)
        main = None
        for element in self._parse_xml(info):
            content_type = (element.get("ContentType") or "").lower()
            if "macroenabled" in content_type or "vbaproject" in content_type or "macrosheet" in content_type:
                raise UnsafeWorkbook(_MACROS)
            if _local(element.tag) == "Override" and content_type == SPREADSHEET_MAIN:
                main = (element.get("PartName") or "").lstrip("/").lower()
        if not main or main not in by_name:
            raise UnsafeWorkbook(_NOT_WORKBOOK)
        return main

    def _sheet_parts(self, by_name: dict[str, zipfile.ZipInfo], main: str) -> list[tuple[str | None, str]]:
        """Return (sheet name, part name) in workbook order, then (None, part) for any sheet-like part the
        workbook does not list: scanned all the same, since some reader may find it."""
        folder, base = posixpath.split(main)
        targets: dict[str, str] = {}
        rels = by_name.get(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is not None:
            for rel in self._parse_xml(rels):
                if (rel.get("Type") or "").endswith(SHEET_REL_TYPES) and rel.get("TargetMode") != "External":
                    target = rel.get("Target") or ""
                    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                    targets[rel.get("Id") or ""] = posixpath.normpath(path).lower()
        sheets: list[tuple[str | None, str]] = []
        for element in self._parse_xml(by_name[main]).iter():
            if _local(element.tag) == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                sheets.append((element.get("name") or "", targets.get(rel_id, "")))
        listed = {part for _, part in sheets}
        for name in by_name:
            if name not in listed and re.match(r"^xl/(work|dialog|macro)sheets/[^/]+\.xml$", name):
                sheets.append((None, name))
        return sheets

    # inflating -----------------------------------------------------------------------------------------------

    def _inflate(self, info: zipfile.ZipInfo, *, count: bool = True) -> Iterator[bytes]:
        """Yield the part's bytes as its data really inflates (not as the directory says), enforcing limits."""
        handle = self.handle
        handle.seek(info.header_offset)
        header = handle.read(30)
        if header[:4] != ZIP_MAGIC:
            raise UnsafeWorkbook("文件已损坏，无法作为 .xlsx 工作簿打开。")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        left = info.compress_size
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        produced = 0
        while left > 0:
            raw = handle.read(min(left, 256 * 1024))
            if not raw:
                raise UnsafeWorkbook("文件已损坏（内容不完整）。")
            left -= len(raw)
            pieces = [raw] if inflater is None else _bounded(inflater, raw)
            for piece in pieces:
                produced += len(piece)
                self._check_ratio(info, produced)
                if count:
                    self.total += len(piece)
                    if self.total > self.limits.max_total_uncompressed:
                        raise UnsafeWorkbook(_too_big(self.limits))
                yield piece
            if inflater is not None and inflater.eof:
                break
        if produced != info.file_size:
            raise UnsafeWorkbook("文件结构异常（部件的声明大小与实际内容不符），已拒绝。")

    def _drain(self, info: zipfile.ZipInfo) -> None:
        head = b""
        for chunk in self._inflate(info):
            if len(head) < self.limits.xml_prolog_bytes:
                head += chunk[: self.limits.xml_prolog_bytes - len(head)]
        if _looks_like_xml(info.filename, head):
            self._check_prolog(head, info.filename)

    def _check_prolog(self, head: bytes, name: str) -> None:
        """Refuse a DOCTYPE or ENTITY declaration: in the first bytes, or anywhere before the root element (a
        long comment must not push it out of sight)."""
        text = _as_utf8(head[: self.limits.xml_prolog_bytes])
        if DOCTYPE.search(text) or not _prolog_is_plain(text):
            raise UnsafeWorkbook(f"文件包含 XML 实体或文档类型声明（DOCTYPE/ENTITY），出于安全原因已拒绝（{name}）。")

    # worksheets -------------------------------------------------------------------------------------------------

    def _scan_sheet(self, info: zipfile.ZipInfo) -> SheetInfo:
        scanner = _SheetScanner(self.limits, info.filename)
        carry = head = b""
        for chunk in self._inflate(info):
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
                if len(head) == HEAD_BYTES:
                    self._check_prolog(head, info.filename)
                    scanner.dimension(head)
            buffer = carry + chunk
            cut = buffer.rfind(b">") + 1
            part, carry = buffer[:cut], buffer[cut:]
            if len(carry) > 4 * MB:
                raise UnsafeWorkbook(f"工作表“{info.filename}”的内容结构异常，已拒绝。")
            scanner.feed(part)
        scanner.feed(carry)
        if len(head) < HEAD_BYTES:
            self._check_prolog(head, info.filename)
            scanner.dimension(head)
        return scanner.result()


class _SheetScanner:
    """Track the largest row and column a reader would place a cell at, and where formulas are."""

    def __init__(self, limits: Limits, part: str) -> None:
        self.limits, self.part = limits, part
        self.max_row = self.max_column = 0
        self.row = self.column = 0  # position of the exact scanner
        self.formulas: set[tuple[int, int]] = set()
        self.tail = b""  # the end of the previous piece, to find the cell of a formula at a piece's start

    def dimension(self, head: bytes) -> None:
        match = DIMENSION.search(head)
        if match:
            last_column, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
            self._check(int(last_row), column_number(last_column))

    def feed(self, part: bytes) -> None:
        """Take the next piece of the sheet (it ends at a ``>``, the pieces come in document order)."""
        if not part:
            return
        if self.max_column and self._feed_plain_rows(part):
            return
        self._feed(part)

    def _feed_plain_rows(self, part: bytes) -> bool:
        """Handle `part` as `_feed` would, if nearly all of it is plain rows; return False (nothing done) if not.

        A plain row — ``<row r="7" …><c r="A7" …><v>…</v></c>…</row>``, every cell in that row, in a column
        already seen, holding at most a value, nothing prefixed — moves the maxima by its number only. One
        regex finds the plain rows (no Python object per cell: this is the gate's hot loop); what lies between
        them (a row cut by the piece's end, an unusual row) is checked as `_feed` checks a whole piece. When that
        finds nothing `_feed`'s fast path would not handle, the outcome is `_feed`'s: the largest row and column
        of the piece's cells and the position of its last cell. Otherwise the whole piece goes to `_feed`.
        """
        pieces = _plain_rows(self.max_column).split(part)
        if len(pieces) == 1:
            return False
        rest = b"\n".join(pieces[0::2])  # a tag cut by the joins only sends the piece to `_feed`
        canonical_cells = rest.count(b'<c r="')
        if (b":" in rest and PREFIXED.search(rest) is not None) or (
                rest.count(b"<c") != canonical_cells and NON_CANONICAL_CELL.search(rest)):
            return False
        rows = CELL_ROW.findall(rest) if canonical_cells else []
        if len(rows) != canonical_cells:
            return False
        rows.extend(pieces[1::2])
        column = _max_canonical_column(rest) if canonical_cells else 0
        self._check(max(map(int, set(rows))), max(column, self.max_column))
        last = part.rfind(b'<c r="')
        self.row, self.column = int(CELL_ROW.match(part, last).group(1)), column_number(
            CELL_COLUMN.match(part, last).group(1))
        if b"<f" in rest and FORMULA.search(part):  # a plain row holds no formula
            self._formulas(part)
        self.tail = part[-4096:]
        return True

    def _feed(self, part: bytes) -> None:
        canonical_cells = part.count(b'<c r="')
        has_prefix = b":" in part and PREFIXED.search(part) is not None
        if has_prefix or (part.count(b"<c") != canonical_cells and NON_CANONICAL_CELL.search(part)):
            self._exact(part)
        elif canonical_cells:
            rows = CELL_ROW.findall(part)
            if len(rows) != canonical_cells:
                self._exact(part)
            else:
                self._check(max(map(int, set(rows))), _max_canonical_column(part))
                last = part.rfind(b'<c r="')
                self.row, self.column = int(rows[-1]), column_number(CELL_COLUMN.match(part, last).group(1))
        if (b"<f" in part or has_prefix) and FORMULA.search(part):
            self._formulas(part)
        self.tail = part[-4096:]

    def _exact(self, part: bytes) -> None:
        """Follow row and cell tags one by one, as python-calamine does (missing `r` = next position)."""
        for match in TAG.finditer(part):
            ref = REF_ATTR.search(match.group(2))
            if match.group(1) == b"row":
                self.row = int(ref.group(1)) if ref and ref.group(1).isdigit() else self.row + 1
                self.column = 0
                self._check(self.row, 0)
                continue
            if ref:
                cell = REF.match(ref.group(1))
                if cell is None:
                    raise UnsafeWorkbook(f"工作表“{self.part}”含有格式异常的单元格引用，已拒绝。")
                self.row, self.column = int(cell.group(2)), column_number(cell.group(1))
            else:
                self.column += 1
            self._check(self.row, self.column)

    def _formulas(self, part: bytes) -> None:
        for match in FORMULA.finditer(part):
            window = (self.tail + part[: match.start()])[-4096:]
            refs = LAST_CELL_REF.findall(window)
            if refs:
                letters, digits = refs[-1]
                self.formulas.add((int(digits), column_number(letters)))
            else:
                self.formulas.add((self.row, self.column))
            if len(self.formulas) > self.limits.max_formula_cells:
                raise UnsafeWorkbook("工作表包含大量公式。导入只接受数值：请先“复制 → 选择性粘贴 → 数值”后再上传。")

    def _check(self, row: int, column: int) -> None:
        limits = self.limits
        if row > limits.max_rows:
            raise UnsafeWorkbook(f"工作表的行数（第 {row} 行）超过上限 {limits.max_rows} 行，已拒绝。")
        if column > limits.max_columns:
            raise UnsafeWorkbook(f"工作表的列数（第 {column} 列）超过上限 {limits.max_columns} 列，已拒绝。")
        self.max_row, self.max_column = max(self.max_row, row), max(self.max_column, column)
        if self.max_row * self.max_column > limits.max_cells:
            raise UnsafeWorkbook(f"工作表的数据区域过大（{self.max_row} 行 × {self.max_column} 列），已拒绝。"
                                 "请拆分后分批导入。")

    def result(self) -> SheetInfo:
        return SheetInfo("", self.part, self.max_row, self.max_column, frozenset(self.formulas))


@functools.lru_cache(maxsize=64)
def _plain_rows(max_column: int) -> re.Pattern[bytes]:
    """Return the regex of a plain row (`_SheetScanner._feed_plain_rows`) whose cells are in columns 1 to
    `max_column`; splitting on it gives the text between such rows and each row's number.

    Possessive quantifiers, and a cell's attributes without ``<``, ``/`` or ``:``: no backtracking, and a row
    with a formula, an inline string, a self-closing or prefixed cell is never plain.
    """
    return re.compile(rb'<row r="([0-9]+)"[^<>]*+>(?:<c r="' + _letters_up_to(max_column)
                      + rb'\1"[^<>/:]*+>(?:<v>[^<]*+</v>)?+</c>)++</row>')


def _letters_up_to(column: int) -> bytes:
    """Return a regex matching the letters of the columns 1 to `column` (A … XFD)."""
    letters, number = b"", column
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = bytes([65 + remainder]) + letters
    alternatives = [b"[A-Z]{1,%d}" % (len(letters) - 1)] if len(letters) > 1 else []
    for i, letter in enumerate(letters):  # same length: a prefix of `letters`, then a smaller letter
        rest = len(letters) - i - 1
        if letter > 65:
            alternatives.append(letters[:i] + b"[A-%c]" % (letter - 1) + (b"[A-Z]{%d}" % rest if rest else b""))
    alternatives.append(letters)
    return b"(?:" + b"|".join(alternatives) + b")"


_ONE_LETTER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"A" * 26)
_LETTERS_DOWN = [bytes([letter]) for letter in reversed(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")]


def _max_canonical_column(part: bytes) -> int:
    """Return the largest column of a piece whose every `<c r="` is followed by letters, digits and `"`.

    Most sheets have at most 26 columns: then (no reference with two letters) the largest column is the last
    letter found after `<c r="`, a few C-level searches instead of a list of every reference.
    """
    if b'<c r="AA' in part.translate(_ONE_LETTER):  # some reference has two letters or more
        return max(map(column_number, set(CELL_COLUMN.findall(part))))
    for letter in _LETTERS_DOWN:
        if b'<c r="' + letter in part:
            return column_number(letter)
    return 0


def _bounded(inflater: Any, raw: bytes) -> Iterator[bytes]:
    """Inflate `raw` in pieces of at most CHUNK bytes, so that a bomb never materialises in memory."""
    piece = inflater.decompress(raw, CHUNK)
    yield piece
    while inflater.unconsumed_tail and not inflater.eof:
        yield inflater.decompress(inflater.unconsumed_tail, CHUNK)


def _looks_like_xml(name: str, head: bytes) -> bool:
    lowered = name.lower()
    if lowered.endswith((".xml", ".rels", ".vml")):
        return True
    return head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").startswith((b"<", b"\x00<"))


def _prolog_is_plain(text: bytes) -> bool:
    """Return whether only an XML declaration, processing instructions, comments and blanks come before the
    root element, all within `text` (an empty part counts as plain)."""
    position = 3 if text.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while position < len(text) and text[position] in b" \t\r\n":
            position += 1
        if position >= len(text):
            return not text.strip(b"\xef\xbb\xbf \t\r\n")
        if text.startswith(b"<?", position):
            end, closing = text.find(b"?>", position), 2
        elif text.startswith(b"<!--", position):
            end, closing = text.find(b"-->", position + 4), 3
        else:
            return text.startswith(b"<", position) and not text.startswith(b"<!", position)
        if end < 0:
            return False
        position = end + closing


def _as_utf8(head: bytes) -> bytes:
    """Return the head as UTF-8 bytes when it is UTF-16 (with or without a BOM), so the checks see it."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else (
            "utf-16-le" if head[:1] == b"<" else "utf-16-be")
        return head.decode(codec, errors="ignore").encode("utf-8")
    return head


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _too_big(limits: Limits) -> str:
    return (f"文件解压后超过 {limits.max_total_uncompressed // MB} MB（或压缩比异常），已拒绝。"
            "请拆分后分批导入。")


_MACROS = "文件包含宏（VBA 或宏表），出于安全原因不接受。请另存为不含宏的“Excel 工作簿 (*.xlsx)”后再上传。"
_NOT_WORKBOOK = "文件不是 Excel 工作簿（缺少工作簿主体部分），请上传 .xlsx 文件。"

__all__ = [
    "DEFAULT_IMPORT_MAX_MB", "DEFAULT_LIMITS", "GateReport", "ImportRejected", "Limits", "SheetInfo",
    "UnsafeWorkbook", "check_workbook", "column_number", "default_limits", "import_max_bytes", "open_source",
]
