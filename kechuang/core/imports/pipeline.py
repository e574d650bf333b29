"""`run_import`: one Excel import, all or nothing (SECURITY.md F1–F6, K5, K6; ARCHITECTURE.md "Import and export").

1. the safety gate (`check_workbook`), then python-calamine reads the sheet; its rows are streamed, not copied
   into Python all at once;
2. the header row is matched to the schema (aliases accepted, column order free);
3. every row is parsed in plain Python — no ModelForm, no full_clean: 5–16× faster (PERFORMANCE.md) — a chunk
   of rows at a time, column by column (a column of plain numbers goes through its parser's `parse_column`, or
   its parser in one `map`; a chunk with a blank or bad cell in that column is parsed cell by cell, which finds
   and reports each problem); a row check with a screen (`ScreenedRowCheck`) runs only on the rows its screen
   picks out of the chunk's columns; duplicate natural keys and formula cells are row errors too;
4. the stored rows are read by natural key (chunked) and each row is classified create / update / unchanged;
5. any error, or a dry run: nothing is written (with errors, the sheet is read again whole for the error
   workbook). Otherwise one transaction writes the new and changed rows (COPY, or multi-row INSERTs on SQLite,
   streamed), checks their foreign keys, writes their change log (before/after, changed rows only: the
   snapshots of new rows built by the database from the stored rows, the others as one JSON text each), one
   `ImportBatch` and one "import" domain event.

A first import into an empty PostgreSQL table (no schema-wide checks, not a dry run) overlaps 3 and 5: a thread
parses while the rows already parsed are written, in the same transaction (`_import_into_empty_table`).

Re-importing the same file changes nothing and logs nothing but its batch and event.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import queue
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone

from kechuang.audit.changelog import (
    SnapshotEncoder,
    log_bulk_changes,
    log_bulk_creates,
    record_event,
    snapshot_encoder,
    snapshot_sql,
)
from kechuang.core.context import acting_as
from kechuang.core.imports.reader import SheetData, SheetStream, open_sheet, read_sheet
from kechuang.core.imports.safety import (
    ImportRejected,
    Limits,
    SheetInfo,
    check_workbook,
    default_limits,
    open_source,
)
from kechuang.core.imports.schema import Column, ImportSchema, Lookups, ParsedRow, RowValueError, cell_text
from kechuang.core.imports.upsert import Table, check_foreign_keys, insert_new, upsert

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 10_000
CHUNK_ROWS = 5_000  # rows parsed together, column by column
PLAN_ROWS = 50_000  # rows classified per read of the stored rows (re-imports: bounds the stored rows held)
WRITE_ROWS = 25_000  # a first import into an empty PostgreSQL table writes this many rows at a time as it parses
ERROR_COLUMN = "错误说明"  # added by the error workbook; ignored when a corrected report is uploaded again
FORMULA_MESSAGE = "单元格含有公式。导入只接受数值，请先“复制 → 选择性粘贴 → 数值”后再导入。"


class TemplateMismatch(ImportRejected):
    """The header row is not the schema's template."""


@dataclass(frozen=True)
class RowError:
    """A problem with one cell: the Excel row number (header = 1), the column's header text, and why."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a file with errors, what it would do: nothing was written)."""

    kind: str
    filename: str
    sha256: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    batch_id: int | None = None
    duplicate_of: int | None = None
    sheet: SheetData | None = field(default=None, repr=False)  # kept when there are errors, for the report

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def committed(self) -> bool:
        return self.batch_id is not None


def run_import(schema: ImportSchema, file: Any, *, actor: Any, dry_run: bool = False, filename: str = "",
               sheet: str | None = None, limits: Limits | None = None) -> ImportResult:
    """Import `file` (a path, bytes or an uploaded file) as `schema`; raise ImportRejected for a file that is
    refused as a whole (unsafe, unreadable, wrong template, no data), else return the result.

    `limits` defaults to the gate's defaults with the upload cap of `settings.KECHUANG_IMPORT_MAX_MB`.
    """
    with _collector_paused():
        return _run_import(schema, file, actor=actor, dry_run=dry_run, filename=filename, sheet=sheet,
                           limits=limits)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import runs (it was on before: on again after).

    An import builds millions of short-lived containers (rows, dicts, tuples) and keeps hundreds of thousands
    (the parsed rows): every few thousand allocations the collector would walk the young ones, and a dozen
    times the whole growing heap — ≈ 10 % of a 200,000-row import, freeing nothing, since these objects hold no
    reference cycles and go with their last reference. Once the import is done they are gone, and the collector
    resumes with little left to walk.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _run_import(schema: ImportSchema, file: Any, *, actor: Any, dry_run: bool, filename: str, sheet: str | None,
                limits: Limits | None) -> ImportResult:
    started = timezone.now()
    gate = check_workbook(file, limits if limits is not None else default_limits())
    stream = open_sheet(file, gate, sheet)
    result = ImportResult(kind=schema.kind, filename=filename or _filename_of(file), sha256=_sha256(file),
                          dry_run=dry_run)
    layout = match_headers(schema, stream.header)
    errors = ErrorCollector(layout)
    lookups = Lookups()
    table = Table(schema.model, schema.natural_key)
    using = router.db_for_write(schema.model)
    if (connections[using].vendor == "postgresql" and not dry_run and not schema.file_checks
            and not table.model._base_manager.db_manager(using).exists()):
        streamed = _import_into_empty_table(schema, stream, layout, errors, lookups, table, using, result,
                                            actor=actor, started=started)
        if streamed is not None:
            if errors.count:  # nothing was written
                result.errors, result.error_count = errors.sorted(), errors.count
                result.sheet = read_sheet(file, gate, sheet)  # the rows go back to the user in the error workbook
            return streamed
    parsed = parse_rows(schema, layout, stream, lookups, errors)
    del stream  # parsed to the end: calamine's copy of the sheet is gone with its row iterator
    result.rows = len(parsed) + errors.bad_rows
    if result.rows == 0:
        raise ImportRejected("文件中没有数据行（第 1 行为表头，数据从第 2 行开始）。")
    if errors.count:
        del parsed
        result.errors, result.error_count = errors.sorted(), errors.count
        result.sheet = read_sheet(file, gate, sheet)  # the rows go back to the user in the error workbook
        return result
    result.duplicate_of = _previous_batch(schema.kind, result.sha256)
    if dry_run:
        plan = Plan.make(table, parsed, using)
        result.created, result.updated, result.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
        return result
    try:
        with acting_as(actor, channel="import"), transaction.atomic(using=using):
            plan = Plan.make(table, parsed, using)
            del parsed  # the plan holds what is written
            plan.write(using)
            result.created, result.updated, result.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
            result.batch_id = _record_batch(schema, result, actor, started)
    except IntegrityError as exc:
        logger.warning("import %s refused by a database constraint: %s", schema.kind, exc)
        raise ImportRejected("导入的数据与数据库中的约束冲突（例如关联的记录不存在或唯一性冲突），未写入任何数据。") from exc
    return result


class _Abandon(Exception):  # noqa: N818 - not an error: leaves the transaction, rolling it back
    """Raised inside the import's transaction to roll back what was written (row errors were found)."""


def _import_into_empty_table(schema: ImportSchema, stream: SheetStream, layout: Layout, errors: ErrorCollector,
                             lookups: Lookups, table: Table, using: str, result: ImportResult, *, actor: Any,
                             started: Any) -> ImportResult | None:
    """Import into a PostgreSQL table that has no rows yet, writing while the rest of the file is parsed.

    Every row is new, so no stored row needs reading before writing. A thread parses the sheet (`_ParseFeed`)
    while this one writes each batch of clean rows as it comes, inside the one transaction: the server's share
    (COPY, the upsert, index upkeep, the change log it builds itself) runs in its own process while Python
    parses, so the two overlap. (With SQLite the database work runs in this process, on the same cores, and
    measured no faster: SQLite imports parse first, then write.) A row error anywhere rolls the transaction
    back: all or nothing, as ever; the whole file is still parsed, so that every error is reported. Returns None
    (nothing done, the stream untouched) if the table is no longer empty once the transaction holds it: the
    caller then imports the usual way.
    """
    result.duplicate_of = _previous_batch(schema.kind, result.sha256)
    feed: _ParseFeed | None = None
    writer = _BatchWriter(table, using)
    try:
        with acting_as(actor, channel="import"), transaction.atomic(using=using):
            if table.model._base_manager.db_manager(using).exists():  # written meanwhile: not empty any more
                return None
            feed = _ParseFeed(*_chunk_parser(schema, layout, stream, lookups, errors), lookups)
            for batch in feed:
                if not errors.count:  # after an error, parse on (for the report) but write no more
                    writer.write(batch)
            result.rows = feed.parsed + errors.bad_rows
            if errors.count or not result.rows:
                raise _Abandon
            result.created = writer.created
            result.batch_id = _record_batch(schema, result, actor, started)
    except _Abandon:
        if not result.rows:
            raise ImportRejected("文件中没有数据行（第 1 行为表头，数据从第 2 行开始）。") from None
    except IntegrityError as exc:
        logger.warning("import %s refused by a database constraint: %s", schema.kind, exc)
        raise ImportRejected("导入的数据与数据库中的约束冲突（例如关联的记录不存在或唯一性冲突），未写入任何数据。") from exc
    finally:
        if feed is not None:
            feed.close()
    return result


class _BatchWriter:
    """Writes batches of new rows into a table that was empty (`_import_into_empty_table`), each with its
    change log and its foreign keys checked (on PostgreSQL: the pending checks of the batch, run by the server
    while the next rows are parsed)."""

    def __init__(self, table: Table, using: str) -> None:
        self.table, self.using = table, using
        self.created = 0

    def write(self, batch: list[ParsedRow]) -> None:
        plan = Plan(self.table, [], [], 0)
        plan.creates = [plan._full(row.record) for row in batch]
        plan.write(self.using, all_new=True)
        self.created += len(plan.creates)


class _ParseFeed:
    """Parses rows on a thread and yields the clean ones in batches of WRITE_ROWS, in file order.

    The thread touches no database: a lookup (`Lookups.get`) it needs is built by the thread iterating the feed,
    which owns the connection and the transaction. `parsed` counts the rows yielded.
    """

    def __init__(self, parser: _ChunkParser, rows: Iterator[tuple[int, list[Any]]], lookups: Lookups) -> None:
        self.parser, self.rows, self.lookups = parser, rows, lookups
        self.parsed = 0
        self.queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="kechuang-import-parse", daemon=True)

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        self.lookups.delegate(self._ask, owner=threading.get_ident())
        self.thread.start()
        while True:
            kind, item = self.queue.get()
            if kind == "rows":
                self.parsed += len(item)
                yield item
            elif kind == "lookup":
                name, build, reply = item
                try:
                    reply["value"] = build()
                except BaseException as exc:  # noqa: BLE001 - raised again on the parsing thread
                    reply["error"] = exc
                reply["done"].set()
            elif kind == "error":
                raise item
            else:
                return

    def _run(self) -> None:
        parser = self.parser
        try:
            while not self.stop.is_set() and (chunk := list(islice(self.rows, CHUNK_ROWS))):
                parser.parse(chunk)
                if len(parser.parsed) >= WRITE_ROWS:
                    self._put("rows", parser.take())
            self._put("rows", parser.take())
            self._put("done", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the iterating thread
            self._put("error", exc)

    def _put(self, kind: str, item: Any) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put((kind, item), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _ask(self, name: str, build: Any) -> Any:
        reply: dict[str, Any] = {"done": threading.Event()}
        if not self._put("lookup", (name, build, reply)):
            raise _Stopped
        while not reply["done"].wait(0.1):
            if self.stop.is_set():
                raise _Stopped
        if "error" in reply:
            raise reply["error"]
        return reply["value"]

    def close(self) -> None:
        """Stop the thread (if the import ended early) and wait for it."""
        self.stop.set()
        while self.thread.is_alive():  # let a blocked put() through
            with contextlib.suppress(queue.Empty):
                self.queue.get(timeout=0.05)
        self.lookups.delegate(None)


class _Stopped(Exception):  # noqa: N818
    """The parsing thread was told to stop."""


# --- header -------------------------------------------------------------------------------------------------


def normalize_header(value: Any) -> str:
    """Return a header cell without blanks, line breaks and the ``*`` that marks a required column."""
    return "".join(cell_text(value).split()).replace("\u3000", "").strip("*＊")


@dataclass(frozen=True)
class Layout:
    """Which sheet column holds which schema column, with the header text as written in the file."""

    positions: tuple[tuple[int, Column], ...]
    headers: dict[str, str]  # column key → header text in the file (or the template's, if the column is absent)


def match_headers(schema: ImportSchema, header_row: list[Any]) -> Layout:
    """Match the header row to the schema's columns; raise TemplateMismatch naming what is missing or unknown."""
    by_header = {normalize_header(h): column for column in schema.columns for h in column.headers}
    positions: list[tuple[int, Column]] = []
    headers = {c.key: c.header for c in schema.columns}
    unknown, repeated = [], []
    seen: set[str] = set()
    for index, cell in enumerate(header_row):
        text = normalize_header(cell)
        if not text or text == ERROR_COLUMN:
            continue
        column = by_header.get(text)
        if column is None:
            unknown.append(cell_text(cell))
        elif column.key in seen:
            repeated.append(cell_text(cell))
        else:
            seen.add(column.key)
            positions.append((index, column))
            headers[column.key] = cell_text(cell)
    missing = [c.header for c in schema.columns if c.required and c.key not in seen]
    if missing or unknown or repeated:
        raise TemplateMismatch(_mismatch_message(schema, missing, unknown, repeated))
    return Layout(tuple(positions), headers)


def _mismatch_message(schema: ImportSchema, missing: list[str], unknown: list[str], repeated: list[str]) -> str:
    expected = "、".join(c.header if c.required else f"{c.header}（选填）" for c in schema.columns)
    problems = []
    if missing:
        problems.append(f"缺少列：{'、'.join(missing)}")
    if unknown:
        problems.append(f"无法识别的列：{'、'.join(unknown)}")
    if repeated:
        problems.append(f"重复的列：{'、'.join(repeated)}")
    return (f"表头与“{schema.label}”导入模板不符（{'；'.join(problems)}）。"
            f"模板的列为：{expected}。请下载最新模板，表头填在第 1 行。")


# --- rows ---------------------------------------------------------------------------------------------------


class ErrorCollector:
    """Row errors as they are found, capped at MAX_REPORTED_ERRORS (all of them are counted)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.errors: list[RowError] = []
        self.count = 0
        self.bad_rows = 0

    def add(self, row: int, key: str | None, message: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, self.layout.headers.get(key or "", ""), message))

    def sorted(self) -> list[RowError]:
        """Return the errors by row, then by the column's place in the sheet."""
        place = {self.layout.headers[column.key]: index for index, column in self.layout.positions}
        return sorted(self.errors, key=lambda e: (e.row, place.get(e.column, -1)))


def parse_rows(schema: ImportSchema, layout: Layout, sheet: SheetStream | SheetData, lookups: Lookups,
               errors: ErrorCollector) -> list[ParsedRow]:
    """Parse every non-blank data row; return the clean ones and put the problems into `errors`.

    The rows are taken CHUNK_ROWS at a time (a stream is consumed as it goes) and each chunk is parsed column by
    column; the errors of a chunk are reported in row order, as if the rows had been parsed one by one.
    """
    parser, rows = _chunk_parser(schema, layout, sheet, lookups, errors)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        parser.parse(chunk)
    parsed = parser.parsed
    if not errors.count:  # rules across rows need the other rows right, else they report phantom problems
        _run_file_checks(schema, parsed, lookups, errors)
    return parsed


def _chunk_parser(schema: ImportSchema, layout: Layout, sheet: SheetStream | SheetData, lookups: Lookups,
                  errors: ErrorCollector) -> tuple[_ChunkParser, Iterator[tuple[int, list[Any]]]]:
    """Return the parser of the sheet's rows (formulas in the header already reported) and the rows."""
    rows: Iterable[tuple[int, list[Any]]] = (
        sheet.rows if isinstance(sheet, SheetStream) else enumerate(sheet.rows, start=2))
    formulas = _formula_columns(sheet.info, layout)
    for key in formulas.pop(1, ()):
        errors.add(1, key, FORMULA_MESSAGE)
    return _ChunkParser(schema, layout, lookups, errors, formulas), iter(rows)


_NOT_BLANK_TYPES = frozenset({float, int, bool})  # calamine's numbers: a cell of these is never blank
_STR = {str}
_FLOAT = {float}


def _non_blank(chunk: list[tuple[int, list[Any]]]) -> tuple[list[int], list[list[Any]]]:
    """Return the Excel row numbers and cells of the rows of `chunk` that are not blank."""
    numbers, rows = (list(part) for part in zip(*chunk, strict=True)) if chunk else ([], [])
    if all(map(any, rows)):  # the common case: every row has a truthy cell (a row of zeros is not blank either)
        return numbers, rows
    kept = [(row, cells) for row, cells in chunk if any(cells) or not _is_blank(cells)]
    return [row for row, _ in kept], [cells for _, cells in kept]


class _ChunkParser:
    """Parses chunks of rows for `parse_rows`, keeping what the rows share (duplicate keys, clean rows)."""

    def __init__(self, schema: ImportSchema, layout: Layout, lookups: Lookups, errors: ErrorCollector,
                 formulas: dict[int, list[str]]) -> None:
        self.schema, self.lookups, self.errors, self.formulas = schema, lookups, errors, formulas
        self.bound = [(index, column.key, column.required, _bound(column, lookups),
                       getattr(column.parser, "parse_column", None)) for index, column in layout.positions]
        present = {column.key for _, column in layout.positions}
        self.absent = [c.key for c in schema.columns if c.key not in present]
        self.keys = [key for _, key, _, _, _ in self.bound] + self.absent
        self.key_columns = [c.key for c in schema.key_columns]
        table_key = Table(schema.model, schema.natural_key).key
        self.key_of = _tuple_getter(table_key)
        self.keep_values = bool(schema.file_checks)
        self.formula_rows = frozenset(formulas)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.parsed: list[ParsedRow] = []

    def take(self) -> list[ParsedRow]:
        """Return the clean rows parsed since the last call."""
        taken, self.parsed = self.parsed, []
        return taken

    def parse(self, chunk: list[tuple[int, list[Any]]]) -> None:
        found: list[tuple[int, str | None, str]] = []  # this chunk's errors, reported in row order at the end
        numbers, rows = _non_blank(chunk)
        if not numbers:
            return
        formula_rows: dict[int, dict[str, Any]] = {}
        if self.formula_rows and not self.formula_rows.isdisjoint(numbers):
            kept_numbers, kept_rows = [], []
            for row, cells in zip(numbers, rows, strict=True):
                formula_keys = self.formulas.get(row)
                if formula_keys:  # the cached value of a formula is not parsed: it may be forged (F6)
                    found.extend((row, key, FORMULA_MESSAGE) for key in formula_keys)
                    bound = [b for b in self.bound if b[1] not in formula_keys]
                    formula_rows[row] = _parse_cells(row, cells, bound, found)
                else:
                    kept_numbers.append(row)
                    kept_rows.append(cells)
            numbers, rows = kept_numbers, kept_rows
        failed = {row for row, _, _ in found}  # a formula is an error: the row is reported, not checked further
        if rows:
            self._check_rows(numbers, self._parse_columns(numbers, rows, found, failed), found, failed)
        self.errors.bad_rows += len(failed)
        found.sort(key=_by_row)  # stable: within a row, the order in which the problems were found
        add = self.errors.add
        for row, key, message in found:
            add(row, key, message)

    def _check_rows(self, numbers: list[int], columns: list[list[Any]], found: list[tuple[int, str | None, str]],
                    failed: set[int]) -> None:
        """Run each clean row's checks, build its record and check its key; keep the rows where all is well.

        A cell error (in `failed`) stops its row here: the checks across its cells would report phantom problems.
        """
        schema, lookups, seen, keys, key_of = self.schema, self.lookups, self.seen, self.keys, self.key_of
        row_checks = schema.row_checks
        to_db = schema.to_db
        keep_values, parsed = self.keep_values, self.parsed
        screened = self._screen(numbers, columns) if row_checks else None
        suspects = None if screened is None or None in screened else set().union(*screened)
        cells = zip(*columns, *([repeat(None)] * len(self.absent)), strict=False)  # absent columns: None
        for i, (row, parsed_cells) in enumerate(zip(numbers, cells, strict=False)):
            if row in failed:
                continue
            values = dict(zip(keys, parsed_cells, strict=False))  # as many cells as keys
            if row_checks and (suspects is None or i in suspects):
                problems = (row_checks[0](values) if len(row_checks) == 1
                            else [problem for check, rows in zip(row_checks, screened, strict=True)
                                  if rows is None or i in rows for problem in check(values)])
                if problems:
                    found.extend((row, key, message) for key, message in problems)
                    failed.add(row)
                    continue
            try:
                record = to_db(values, lookups) if to_db is not None else dict(values)
            except RowValueError as exc:
                found.append((row, exc.column, exc.message))
                failed.add(row)
                continue
            key = key_of(record)
            first = seen.get(key)
            if first is not None:
                described = "、".join(cell_text(values[k]) for k in self.key_columns)
                found.append((row, self.key_columns[0], f"与第 {first} 行重复（{described}），同一记录只能出现一次。"))
                failed.add(row)
                continue
            seen[key] = row
            parsed.append(ParsedRow(row, values if keep_values else _NO_VALUES, record))

    def _screen(self, numbers: list[int], columns: list[list[Any]]) -> list[set[int] | None]:
        """Return, for each row check, the indexes (in `numbers`) of the rows it must run on: its screen's
        suspects (`ScreenedRowCheck`), or None (every row) for a check without a screen."""
        by_key: dict[str, Sequence[Any]] | None = None
        screened: list[set[int] | None] = []
        for check in self.schema.row_checks:
            screen = getattr(check, "screen", None)
            if screen is None:
                screened.append(None)
                continue
            if by_key is None:
                blank = [None] * len(numbers)
                by_key = dict(zip(self.keys, [*columns, *([blank] * len(self.absent))], strict=True))
            screened.append(set(screen(by_key)))
        return screened

    def _parse_columns(self, numbers: list[int], rows: list[list[Any]], found: list[tuple[int, str | None, str]],
                       failed: set[int]) -> list[list[Any]]:
        """Return the parsed values of each bound column of `rows` (None where a cell is blank or bad).

        A column of plain numbers goes through its parser's `parse_column` when it has one (whole columns at a
        time, the same values), else through `parse` in one `map`; a column that either path does not take
        whole is parsed cell by cell, which finds and reports each problem.
        """
        cells_by_column = list(zip(*rows, strict=True))  # calamine: every row as wide as the sheet
        columns = []
        for index, key, required, parse, parse_column in self.bound:
            cells = cells_by_column[index]
            kinds = set(map(type, cells))
            if parse_column is not None and kinds == _FLOAT:
                values = parse_column(cells)
                if values is not None:
                    columns.append(values)
                    continue
            if kinds <= _NOT_BLANK_TYPES or (kinds == _STR and "" not in cells and not any(map(str.isspace, cells))):
                try:
                    columns.append(list(map(parse, cells)))
                    continue
                except RowValueError:
                    pass  # some cell is bad: parse the column again cell by cell to report each one
            values: list[Any] = [None] * len(cells)
            for i, raw in enumerate(cells):
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    if required:
                        found.append((numbers[i], key, "必填，不能为空。"))
                        failed.add(numbers[i])
                    continue
                try:
                    values[i] = parse(raw)
                except RowValueError as exc:
                    found.append((numbers[i], exc.column or key, exc.message))
                    failed.add(numbers[i])
            columns.append(values)
        return columns

_NO_VALUES: dict[str, Any] = {}


def _by_row(error: tuple[int, str | None, str]) -> int:
    return error[0]


def _tuple_getter(names: tuple[str, ...]) -> Any:
    """Return record → tuple of its values of `names` (a tuple even for one name)."""
    if len(names) == 1:
        name = names[0]
        return lambda record: (record[name],)
    return itemgetter(*names)


def _bound(column: Column, lookups: Lookups) -> Any:
    bind = getattr(column.parser, "bind", None)
    return bind(lookups) if bind is not None else column.parser


def _parse_cells(row: int, cells: list[Any], bound: list[tuple[int, str, bool, Any, Any]],
                 found: list[tuple[int, str | None, str]]) -> dict[str, Any]:
    """Parse one row cell by cell (a row with a formula cell: the other cells are reported too)."""
    values: dict[str, Any] = {}
    for index, key, required, parse, _column in bound:
        raw = cells[index]  # python-calamine gives every row the sheet's full width
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[key] = None
            if required:
                found.append((row, key, "必填，不能为空。"))
            continue
        try:
            values[key] = parse(raw)
        except RowValueError as exc:
            values[key] = None
            found.append((row, exc.column or key, exc.message))
    return values


def _run_file_checks(schema: ImportSchema, parsed: list[ParsedRow], lookups: Lookups,
                     errors: ErrorCollector) -> None:
    bad: set[int] = set()
    for check in schema.file_checks:
        for row, key, message in check(parsed, lookups):
            errors.add(row, key, message)
            bad.add(row)
    errors.bad_rows += len(bad)


def _formula_columns(info: SheetInfo, layout: Layout) -> dict[int, list[str]]:
    """Return row → keys of the schema columns whose cell holds a formula (whether the row is blank is decided
    when the row is read: a formula in an otherwise blank row is ignored)."""
    key_at = {index + 1: column.key for index, column in layout.positions}
    found: dict[int, list[str]] = defaultdict(list)
    for row, column in sorted(info.formula_cells):
        key = key_at.get(column)
        if key is not None:
            found[row].append(key)
    return dict(found)


def _is_blank(cells: list[Any]) -> bool:
    return all(value == "" or value is None for value in cells)


# --- plan and write -------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """The rows to create (full data rows), to update (stored row, wanted row), and how many are unchanged,
    each list in the order of the file."""

    table: Table
    creates: list[dict[str, Any]]
    updates: list[tuple[dict[str, Any], dict[str, Any]]]
    unchanged: int

    @classmethod
    def make(cls, table: Table, parsed: list[ParsedRow], using: str) -> Plan:
        plan = cls(table, [], [], 0)
        if not table.model._base_manager.db_manager(using).exists():  # a first import: nothing to read
            plan.creates = [plan._full(row.record) for row in parsed]
            return plan
        # Stored rows are read PLAN_ROWS at a time, grouped by the key's first column (the unit Table.load
        # reads by), so a re-import never holds all of them; the outcome is then put back in file order.
        key_of = _tuple_getter(table.key)
        groups: dict[Any, list[int]] = defaultdict(list)
        for i, row in enumerate(parsed):
            groups[key_of(row.record)[0]].append(i)
        outcome: list[Any] = [None] * len(parsed)  # the full row to create, (stored, wanted), or None
        batch: list[int] = []
        for indexes in groups.values():
            batch.extend(indexes)
            if len(batch) >= PLAN_ROWS:
                plan._classify(parsed, batch, outcome, key_of, using)
                batch = []
        plan._classify(parsed, batch, outcome, key_of, using)
        for item in outcome:
            if item is None:
                plan.unchanged += 1
            elif item.__class__ is tuple:
                plan.updates.append(item)
            else:
                plan.creates.append(item)
        return plan

    def _full(self, record: dict[str, Any]) -> dict[str, Any]:
        """Return a new row's values: the record, with the model's defaults for the columns it leaves out."""
        table = self.table
        if len(record) == len(table.attnames) and record.keys() == table.attname_set:
            return record  # complete already: no copy
        self._check_columns(record)
        return {**table.defaults, **record}

    def _check_columns(self, record: dict[str, Any]) -> None:
        extra = record.keys() - self.table.attname_set
        if extra:
            raise ValueError(f"to_db returned columns the model does not have: {sorted(extra)}")

    def _classify(self, parsed: list[ParsedRow], batch: list[int], outcome: list[Any], key_of: Any,
                  using: str) -> None:
        if not batch:
            return
        table = self.table
        existing = table.load((key_of(parsed[i].record) for i in batch), using=using)
        for i in batch:
            record = parsed[i].record
            current = existing.get(key_of(record))
            if current is None:
                outcome[i] = self._full(record)
                continue
            self._check_columns(record)
            base = {a: current[a] for a in table.attnames}
            wanted = {**base, **record}
            if wanted != base:
                outcome[i] = (current, wanted)

    def written(self) -> Iterator[dict[str, Any]]:
        """Yield every row the write upserts: the new ones, then the changed ones."""
        return chain(self.creates, (wanted for _, wanted in self.updates))

    def write(self, using: str, *, all_new: bool = False) -> None:
        """Upsert the new and changed rows, check their foreign keys and write their change log (inside the
        caller's transaction).

        New rows of a table with a generated key are logged by the database itself (`log_bulk_creates`: their
        snapshots never come back through Python); the others, and every update, by `log_bulk_changes`.
        `all_new` (only rows to create, none of their keys stored when the transaction began): on PostgreSQL
        they are copied straight into the table (`insert_new`), without a staging table.
        """
        table = self.table
        model = table.model
        connection = connections[using]
        sqlite = connection.vendor == "sqlite"
        by_database = table.auto_pk and bool(self.creates) and snapshot_sql(model, connection) is not None
        manager = model._base_manager.db_manager(using)
        pk = table.pk.attname
        # SQLite: every row above the largest key is new (the transaction holds the only write lock).
        above = manager.aggregate(top=models.Max(pk))["top"] if by_database and sqlite else None
        new_keys = table.auto_pk and bool(self.creates) and not (by_database and sqlite)
        if all_new and not sqlite and table.auto_pk and not self.updates:
            pks = insert_new(table, self.creates, now=timezone.now(), using=using)
        else:
            pks = upsert(table, self.written(), now=timezone.now(), using=using, returning=new_keys)
        if new_keys:
            key_of = _tuple_getter(table.key)
            missing = [key for key in map(key_of, self.creates) if key not in pks]
            if missing:  # not expected (see `upsert`): read them by natural key
                stored = table.load(missing, [table.pk.attname, *table.key], using)
                pks.update((key, row[table.pk.attname]) for key, row in stored.items())
        check_foreign_keys(table, self.written, using)
        creates = self.creates
        if by_database:
            column = connection.ops.quote_name(table.pk.column)
            if sqlite:
                where, params = (f"{column} > %s", [above]) if above is not None else ("1 = 1", [])
            else:
                where, params = f"{column} = ANY(%s)", [[pks[key] for key in map(_tuple_getter(table.key), creates)]]
            logged = log_bulk_creates(model, where, params)
            if logged != len(creates):  # the new rows are not the rows just created: refuse, write nothing
                raise IntegrityError(f"{len(creates)} rows created, {logged} found to log")
            creates = []
        log_bulk_changes(model, self._changes(snapshot_encoder(model), pks, creates))

    def _changes(self, encoder: SnapshotEncoder, pks: dict[tuple[Any, ...], Any], creates: list[dict[str, Any]]
                 ) -> Iterator[tuple[str, Any, str | None, str | None]]:
        """Yield the change log of `creates` and of the updates, one snapshot (JSON text) at a time."""
        table = self.table
        pk = table.pk.attname
        if table.auto_pk:
            new = [pks[key] for key in map(_tuple_getter(table.key), creates)]
            after = encoder.json_many(creates, **{pk: new})
        else:
            new = [row[pk] for row in creates]
            after = encoder.json_many(creates)
        yield from zip(repeat("create"), new, repeat(None), after, strict=False)
        befores = encoder.json_many(current for current, _ in self.updates)
        afters = encoder.json_many({**current, **wanted} for current, wanted in self.updates)
        for (current, _), before, after in zip(self.updates, befores, afters, strict=True):
            if before != after:
                yield "update", current[pk], before, after


def _record_batch(schema: ImportSchema, result: ImportResult, actor: Any, started: Any) -> int:
    from kechuang.core.imports.choices import ImportStatus
    from kechuang.core.models import ImportBatch

    status = ImportStatus.COMPLETED if result.duplicate_of is None else ImportStatus.DUPLICATE
    batch = ImportBatch(
        kind=schema.kind, filename=result.filename[:255], sha256=result.sha256, status=status,
        created_count=result.created, updated_count=result.updated, unchanged_count=result.unchanged,
        error_count=0, actor=actor if getattr(actor, "pk", None) else None, started=started,
        finished=timezone.now(),
    )
    # The batch is itself an audit record, audited by the event below: no change-log row of its own, so
    # that re-importing an unchanged file leaves the change log untouched.
    ImportBatch._base_manager.bulk_create([batch])
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    record_event("import", obj=batch,
                 message=f"导入{schema.label}：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}",
                 data={"kind": schema.kind, "batch": batch.pk, "filename": result.filename, "sha256": result.sha256,
                       "rows": result.rows, "duplicate_of": result.duplicate_of, **counts})
    return batch.pk


def _previous_batch(kind: str, sha256: str) -> int | None:
    from kechuang.core.models import ImportBatch

    return ImportBatch._base_manager.filter(kind=kind, sha256=sha256).order_by("-started", "-id").values_list(
        "pk", flat=True).first()


def _sha256(file: Any) -> str:
    digest = hashlib.sha256()
    with open_source(file) as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _filename_of(file: Any) -> str:
    if isinstance(file, str | os.PathLike):
        return os.path.basename(os.fspath(file))
    return os.path.basename(getattr(file, "name", "") or "")
