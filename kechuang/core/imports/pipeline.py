"""`run_import`: one Excel import, all or nothing (SECURITY.md F1–F6, K5, K6; ARCHITECTURE.md "Import and export").

1. the safety gate (`check_workbook`), then python-calamine reads the sheet;
2. the header row is matched to the schema (aliases accepted, column order free);
3. every row is parsed in plain Python — no ModelForm, no full_clean: 5–16× faster (PERFORMANCE.md);
   duplicate natural keys and formula cells are row errors too;
4. the stored rows are read by natural key (chunked) and each row is classified create / update / unchanged;
5. any error, or a dry run: nothing is written. Otherwise one transaction writes the new and changed rows
   (COPY or executemany upsert), their change log (before/after, changed rows only), one `ImportBatch` and one
   "import" domain event.

Re-importing the same file changes nothing and logs nothing but its batch and event.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from kechuang.audit.changelog import log_bulk_changes, record_event, snapshot_values
from kechuang.core.context import acting_as
from kechuang.core.imports.reader import SheetData, read_sheet
from kechuang.core.imports.safety import DEFAULT_LIMITS, ImportRejected, Limits, check_workbook, open_source
from kechuang.core.imports.schema import Column, ImportSchema, Lookups, ParsedRow, RowValueError, cell_text
from kechuang.core.imports.upsert import Table, upsert

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 10_000
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
               sheet: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """Import `file` (a path, bytes or an uploaded file) as `schema`; raise ImportRejected for a file that is
    refused as a whole (unsafe, unreadable, wrong template, no data), else return the result."""
    started = timezone.now()
    gate = check_workbook(file, limits)
    data = read_sheet(file, gate, sheet)
    result = ImportResult(kind=schema.kind, filename=filename or _filename_of(file), sha256=_sha256(file),
                          dry_run=dry_run)
    layout = match_headers(schema, data.header)
    errors = ErrorCollector(layout)
    lookups = Lookups()
    parsed = parse_rows(schema, layout, data, lookups, errors)
    result.rows = len(parsed) + errors.bad_rows
    if result.rows == 0:
        raise ImportRejected("文件中没有数据行（第 1 行为表头，数据从第 2 行开始）。")
    if errors.count:
        result.errors, result.error_count, result.sheet = errors.sorted(), errors.count, data
        return result
    result.duplicate_of = _previous_batch(schema.kind, result.sha256)
    table = Table(schema.model, schema.natural_key)
    using = router.db_for_write(schema.model)
    if dry_run:
        plan = Plan.make(table, parsed, using)
        result.created, result.updated, result.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
        return result
    try:
        with acting_as(actor, channel="import"), transaction.atomic(using=using):
            plan = Plan.make(table, parsed, using)
            plan.write(using)
            result.created, result.updated, result.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
            result.batch_id = _record_batch(schema, result, actor, started)
    except IntegrityError as exc:
        logger.warning("import %s refused by a database constraint: %s", schema.kind, exc)
        raise ImportRejected("导入的数据与数据库中的约束冲突（例如关联的记录不存在或唯一性冲突），未写入任何数据。") from exc
    return result


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


def parse_rows(schema: ImportSchema, layout: Layout, data: SheetData, lookups: Lookups,
               errors: ErrorCollector) -> list[ParsedRow]:
    """Parse every non-blank data row; return the clean ones and put the problems into `errors`."""
    bound = [(index, column.key, column.required, _bound(column, lookups)) for index, column in layout.positions]
    present = {column.key for _, column in layout.positions}
    absent = [c.key for c in schema.columns if c.key not in present]
    formulas = _formula_columns(data, layout)
    for key in formulas.get(1, ()):
        errors.add(1, key, FORMULA_MESSAGE)
    key_columns = [c.key for c in schema.key_columns]
    table_key = Table(schema.model, schema.natural_key).key
    seen: dict[tuple[Any, ...], int] = {}
    parsed: list[ParsedRow] = []
    for offset, cells in enumerate(data.rows):
        if not any(cells) and _is_blank(cells):
            continue
        row = offset + 2
        before = errors.count
        formula_keys = formulas.get(row)
        if formula_keys:  # the cached value of a formula is not parsed: it may be forged (F6)
            for key in formula_keys:
                errors.add(row, key, FORMULA_MESSAGE)
            values = _parse_cells(row, cells, [b for b in bound if b[1] not in formula_keys], errors)
        else:
            values = _parse_cells(row, cells, bound, errors)
        for key in absent:
            values[key] = None
        if errors.count == before:
            record = _record(schema, row, values, lookups, errors)
            if record is not None:
                key = tuple(record[a] for a in table_key)
                if key in seen:
                    described = "、".join(cell_text(values[k]) for k in key_columns)
                    errors.add(row, key_columns[0], f"与第 {seen[key]} 行重复（{described}），同一记录只能出现一次。")
                else:
                    seen[key] = row
                    parsed.append(ParsedRow(row, values, record))
        if errors.count != before:
            errors.bad_rows += 1
    if not errors.count:  # rules across rows need the other rows right, else they report phantom problems
        _run_file_checks(schema, parsed, lookups, errors)
    return parsed


def _bound(column: Column, lookups: Lookups) -> Any:
    bind = getattr(column.parser, "bind", None)
    return bind(lookups) if bind is not None else column.parser


def _parse_cells(row: int, cells: list[Any], bound: list[tuple[int, str, bool, Any]],
                 errors: ErrorCollector) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for index, key, required, parse in bound:
        raw = cells[index]  # python-calamine gives every row the sheet's full width
        if raw is None or (raw.__class__ is str and not raw.strip()):
            values[key] = None
            if required:
                errors.add(row, key, "必填，不能为空。")
            continue
        try:
            values[key] = parse(raw)
        except RowValueError as exc:
            values[key] = None
            errors.add(row, exc.column or key, exc.message)
    return values


def _record(schema: ImportSchema, row: int, values: dict[str, Any], lookups: Lookups,
            errors: ErrorCollector) -> dict[str, Any] | None:
    problems = [problem for check in schema.row_checks for problem in check(values)]
    for key, message in problems:
        errors.add(row, key, message)
    if problems:
        return None
    try:
        return schema.record(values, lookups)
    except RowValueError as exc:
        errors.add(row, exc.column, exc.message)
        return None


def _run_file_checks(schema: ImportSchema, parsed: list[ParsedRow], lookups: Lookups,
                     errors: ErrorCollector) -> None:
    bad: set[int] = set()
    for check in schema.file_checks:
        for row, key, message in check(parsed, lookups):
            errors.add(row, key, message)
            bad.add(row)
    errors.bad_rows += len(bad)


def _formula_columns(data: SheetData, layout: Layout) -> dict[int, list[str]]:
    """Return row → keys of the schema columns whose cell holds a formula (in rows that are not blank)."""
    key_at = {index + 1: column.key for index, column in layout.positions}
    found: dict[int, list[str]] = defaultdict(list)
    for row, column in sorted(data.info.formula_cells):
        key = key_at.get(column)
        if key is None:
            continue
        cells = data.rows[row - 2] if 2 <= row < len(data.rows) + 2 else None
        if row == 1 or (cells is not None and not _is_blank(cells)):
            found[row].append(key)
    return found


def _is_blank(cells: list[Any]) -> bool:
    return all(value == "" or value is None for value in cells)


# --- plan and write -------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """The rows to create (full data rows), to update (stored row, wanted row), and how many are unchanged."""

    table: Table
    creates: list[dict[str, Any]]
    updates: list[tuple[dict[str, Any], dict[str, Any]]]
    unchanged: int

    @classmethod
    def make(cls, table: Table, parsed: list[ParsedRow], using: str) -> Plan:
        allowed = set(table.attnames)
        existing = table.load((tuple(p.record[a] for a in table.key) for p in parsed), using=using)
        creates, updates, unchanged = [], [], 0
        for row in parsed:
            extra = row.record.keys() - allowed
            if extra:
                raise ValueError(f"to_db returned columns the model does not have: {sorted(extra)}")
            current = existing.get(tuple(row.record[a] for a in table.key))
            base = {a: current[a] for a in table.attnames} if current else dict(table.defaults)
            wanted = {**base, **row.record}
            if current is None:
                creates.append(wanted)
            elif wanted != base:
                updates.append((current, wanted))
            else:
                unchanged += 1
        return cls(table, creates, updates, unchanged)

    def write(self, using: str) -> None:
        """Upsert the new and changed rows and write their change log (inside the caller's transaction)."""
        table = self.table
        upsert(table, self.creates + [wanted for _, wanted in self.updates], now=timezone.now(), using=using)
        # Foreign keys are deferred to COMMIT, which may be an outer transaction's: check them now, so that a
        # dangling reference refuses this import (IntegrityError) instead of failing someone else's commit.
        connections[using].check_constraints(table_names=[table.model._meta.db_table])
        pk = table.pk.attname
        created_pks: dict[tuple[Any, ...], Any] = {}
        if table.auto_pk and self.creates:
            stored = table.load((tuple(r[a] for a in table.key) for r in self.creates), [pk, *table.key], using)
            created_pks = {key: row[pk] for key, row in stored.items()}
        changes = []
        for wanted in self.creates:
            key = tuple(wanted[a] for a in table.key)
            after = {**wanted, pk: created_pks.get(key, wanted.get(pk))}
            changes.append(("create", after[pk], None, snapshot_values(table.model, after)))
        for current, wanted in self.updates:
            before = snapshot_values(table.model, current)
            after = snapshot_values(table.model, {**current, **wanted})
            if before != after:
                changes.append(("update", current[pk], before, after))
        log_bulk_changes(table.model, changes)


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
