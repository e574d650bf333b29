"""Declarative import schemas: which columns a template has, how each cell is parsed, how a row is stored.

A parser is a small callable taking one non-empty cell value (as python-calamine gives it: str, float, bool,
date or datetime) and returning the Python value, or raising `RowValueError` with a Chinese message. Empty cells
never reach a parser: the pipeline reports a missing required value, or passes None for an optional one.

The parsers here are built by factory functions (`text(100)`, `integer(min_value=0)`, …) returning a
`FieldParser`, which also tells the template how to describe and validate the column. A plain function is a
parser too. A parser that needs reference data (regions by name, enterprises by credit code) takes it from
`Lookups`, which the pipeline builds once per import.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.text import format_lazy

from kechuang.core.uscc import normalize_uscc, uscc_problem


class RowValueError(ValueError):
    """A cell (or, with `column`, another cell of the row) holds a value the import cannot accept."""

    def __init__(self, message: str, *, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class Lookups:
    """Reference data an import reads once, built on first use: ``lookups.get("regions", build_region_index)``.

    Parsers may run on a thread of their own (a first import into an empty PostgreSQL table parses while it
    writes): a lookup asked for there is built by the thread that owns the database connection (`delegate`), so
    that it reads inside the import's transaction, like every other query of the import.
    """

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}
        self._ask: Callable[[str, Callable[[], Any]], Any] | None = None
        self._owner: int | None = None

    def get(self, name: str, build: Callable[[], Any]) -> Any:
        try:
            return self._built[name]
        except KeyError:
            pass
        ask = self._ask
        value = ask(name, build) if ask is not None and threading.get_ident() != self._owner else build()
        self._built[name] = value
        return value

    def delegate(self, ask: Callable[[str, Callable[[], Any]], Any] | None, *, owner: int | None = None) -> None:
        """Have lookups asked for on other threads than `owner` built through `ask(name, build)` (None: here)."""
        self._ask, self._owner = ask, owner


Parse = Callable[[Any], Any]
# A column of cells, every one a float (python-calamine's numbers) → the list `parse` gives for them, cell by cell;
# or None when some cell needs a closer look (a bad value, an edge case): the caller then parses the column cell
# by cell, which reports each problem. It never raises and never returns values `parse` would not.
ColumnParse = Callable[[Sequence[float]], list[Any] | None]


@dataclass(frozen=True)
class FieldParser:
    """A parser with what the template needs to know about it.

    `validation` holds xlsxwriter ``data_validation`` options; `text_cell` formats the template column as text
    so that Excel keeps long codes (``320102000000``, credit codes) as typed; `binder`, when given, returns the
    parse function bound to the import's lookups.
    """

    parse: Parse | None
    format_help: Any = ""  # str, or a lazy string
    validation: Mapping[str, Any] | None = None
    text_cell: bool = False
    choices_labels: tuple[Any, ...] = ()
    binder: Callable[[Lookups], Parse] | None = field(default=None, compare=False)
    # Optional: a whole column of floats at once (see ColumnParse).
    parse_column: ColumnParse | None = field(default=None, compare=False)

    def __call__(self, raw: Any) -> Any:
        assert self.parse is not None, "a parser with a binder must be bound to the import's lookups"
        return self.parse(raw)

    def bind(self, lookups: Lookups) -> Parse:
        return self.binder(lookups) if self.binder is not None else self.parse  # type: ignore[return-value]


@dataclass(frozen=True)
class Column:
    """One column of an import template: `key` names the parsed value, `header` is the text in row 1."""

    key: str
    header: str
    parser: Parse
    required: bool = True
    aliases: tuple[str, ...] = ()
    help: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


RowCheck = Callable[[dict[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True)
class ScreenedRowCheck:
    """A row check with a screen over whole columns, for imports of many rows.

    `screen(columns)` takes the parsed values of a chunk of rows by column key (None for a blank or bad cell, a
    column the file lacks is all None) and returns the indexes of the rows the check might report something
    for: a superset, computed in a few comprehensions instead of one call per row. The check itself then runs
    on those rows only; every other row it would have passed. Called on one row, it is the plain check.
    """

    check: RowCheck
    screen: Callable[[Mapping[str, Sequence[Any]]], Iterable[int]]

    def __call__(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        return self.check(values)


@dataclass(slots=True)
class ParsedRow:
    """A row that parsed cleanly: its Excel row number, its values by column key, and its database values.

    `values` is kept only for a schema with `file_checks` (they may need the cells); otherwise it is empty, so
    that a 200,000-row import does not hold every row twice.
    """

    row: int
    values: Mapping[str, Any]
    record: dict[str, Any]


FileCheck = Callable[[Sequence[ParsedRow], Lookups], Iterable[tuple[int, str, str]]]


@dataclass(frozen=True)
class ImportSchema:
    """What one import reads and where it writes.

    - `natural_key`: model field names identifying a row across imports (``("uscc",)``, ``("enterprise",
      "year")``); the table must have a unique constraint on exactly these columns.
    - `to_db(values, lookups)`: the model's column values (attnames, e.g. ``region_id``) for one row. A column
      it leaves out keeps its stored value (or the model default for a new row). It may raise RowValueError.
    - `row_checks`: ``check(values) -> [(column key, message)]`` rules across the cells of one row.
    - `file_checks`: ``check(rows, lookups) -> [(row, column key, message)]`` rules across rows (a parent
      region given further down the same file, for instance); they run once every row is otherwise clean.
    """

    kind: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    to_db: Callable[[dict[str, Any], Lookups], dict[str, Any]] | None = None
    row_checks: tuple[RowCheck, ...] = ()
    file_checks: tuple[FileCheck, ...] = ()
    key_column_keys: tuple[str, ...] = ()  # the columns a user knows the natural key by, e.g. ("uscc", "year")

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        """Return the columns that carry the natural key in the file: `key_column_keys`, else the columns named
        like the natural key's fields, else the first column."""
        keys = self.key_column_keys or self.natural_key
        found = tuple(c for c in self.columns if c.key in keys)
        return found or self.columns[:1]

    def record(self, values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
        return self.to_db(values, lookups) if self.to_db else dict(values)


# --- parsers ------------------------------------------------------------------------------------------------


def cell_text(raw: Any) -> str:
    """Return a cell as the text a person sees: ``320102000000.0`` → ``"320102000000"``, strings stripped."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float):
        if raw.is_integer():
            return str(int(raw))
        return format(raw, ".15g")
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def text(max_length: int) -> FieldParser:
    """Text of at most `max_length` characters (numbers typed into the cell are taken as their digits)."""

    def parse(raw: Any) -> str:
        value = cell_text(raw)
        if len(value) > max_length:
            raise RowValueError(f"长度为 {len(value)} 个字，超过上限 {max_length} 个字。")
        return value

    return FieldParser(parse, f"文本，不超过 {max_length} 个字",
                       {"validate": "length", "criteria": "<=", "value": max_length}, text_cell=True)


def _bounds_help(min_value: Any, max_value: Any) -> str:
    if min_value is not None and max_value is not None:
        return f"，{min_value} 至 {max_value}"
    if min_value is not None:
        return f"，不小于 {min_value}"
    if max_value is not None:
        return f"，不大于 {max_value}"
    return ""


def _check_bounds(value: Any, min_value: Any, max_value: Any) -> None:
    if min_value is not None and value < min_value:
        raise RowValueError(f"应不小于 {min_value}，实际为 {value}。")
    if max_value is not None and value > max_value:
        raise RowValueError(f"应不大于 {max_value}，实际为 {value}。")


def _validation(kind: str, min_value: Any, max_value: Any) -> dict[str, Any]:
    if min_value is not None and max_value is not None:
        return {"validate": kind, "criteria": "between", "minimum": min_value, "maximum": max_value}
    if min_value is not None:
        return {"validate": kind, "criteria": ">=", "value": min_value}
    if max_value is not None:
        return {"validate": kind, "criteria": "<=", "value": max_value}
    return {"validate": kind, "criteria": "between", "minimum": -(10**15), "maximum": 10**15}


_INTEGER_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")


def integer(min_value: int | None = None, max_value: int | None = None) -> FieldParser:
    """A whole number: ``2019.0`` is 2019; ``12.5`` is an error, never truncated (PERFORMANCE.md)."""

    low = -math.inf if min_value is None else min_value
    high = math.inf if max_value is None else max_value

    def parse(raw: Any) -> int:
        if raw.__class__ is float:  # what python-calamine gives for every number
            if not raw.is_integer():
                raise RowValueError(f"应为整数，实际为 {cell_text(raw)}。")
            value = int(raw)
            if low <= value <= high:  # the common case, without a call
                return value
        elif isinstance(raw, bool):
            raise RowValueError("应为整数。")
        elif isinstance(raw, int):
            value = raw
        else:
            text_value = cell_text(raw).replace(",", "").replace("，", "")
            if not _INTEGER_TEXT.fullmatch(text_value):
                raise RowValueError(f"“{cell_text(raw)}”不是整数。")
            value = int(Decimal(text_value))
        _check_bounds(value, min_value, max_value)
        return value

    def parse_column(cells: Sequence[float]) -> list[int] | None:
        # Whole numbers within the bounds: each cell is exactly its int (NaN and ±inf raise in int()).
        try:
            values = list(map(int, cells))
        except (ValueError, OverflowError):
            return None
        if values and low <= min(values) and max(values) <= high and tuple(map(float, values)) == tuple(cells):
            return values
        return None

    return FieldParser(parse, "整数" + _bounds_help(min_value, max_value),
                       _validation("integer", min_value, max_value), parse_column=parse_column)


def decimal_amount(max_digits: int, decimal_places: int, min_value: Decimal | int | None = None,
                   max_value: Decimal | int | None = None) -> FieldParser:
    """A Decimal with at most `decimal_places` decimals: more is an error, never rounded away.

    A float cell is read at Excel's own precision (15 significant digits), so ``0.30000000000000004`` left by a
    pasted calculation is the 0.3 the user sees, while ``12.345`` in a 2-decimal column is still an error.
    """
    quantum = Decimal(1).scaleb(-decimal_places)
    max_integer_digits = max_digits - decimal_places
    factor = 10**decimal_places
    float_factor = float(factor)
    bound = 10 ** min(max_digits, 15) / factor
    # The bounds in units of the last decimal place: `nearest` (an int) is within them exactly when the Decimal
    # it stands for is within min_value … max_value.
    low_units = -math.inf if min_value is None else math.ceil(Decimal(min_value) * factor)
    high_units = math.inf if max_value is None else math.floor(Decimal(max_value) * factor)

    def parse(raw: Any) -> Decimal:
        if raw.__class__ is float and -bound < raw < bound:
            # Fast path (≈ 5× faster), taken only when the float is within half a unit of the 15th significant
            # digit of a value with at most `decimal_places` decimals: exactly the values the slow path accepts.
            scaled = raw * factor
            nearest = round(scaled)
            if abs(scaled - nearest) <= abs(scaled) * 5e-16 and low_units <= nearest <= high_units:
                return Decimal(nearest) * quantum  # exact: `nearest` has at most 17 digits
        return parse_exactly(raw)

    def parse_exactly(raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise RowValueError("应为数字。")
        if isinstance(raw, float):
            if not math.isfinite(raw):
                raise RowValueError("应为数字。")
            shown = format(raw, ".15g")
        else:
            shown = cell_text(raw).replace(",", "").replace("，", "")
        try:
            value = Decimal(shown)
        except InvalidOperation:
            raise RowValueError(f"“{cell_text(raw)}”不是数字。") from None
        if not value.is_finite():
            raise RowValueError(f"“{cell_text(raw)}”不是数字。")
        places = max(0, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
        if places > decimal_places:
            raise RowValueError(f"最多 {decimal_places} 位小数，实际为 {shown}。")
        if value and value.adjusted() + 1 > max_integer_digits:
            raise RowValueError(f"数值 {shown} 过大：整数部分最多 {max_integer_digits} 位。")
        _check_bounds(value, min_value, max_value)
        return value.quantize(quantum)

    def parse_column(cells: Sequence[float]) -> list[Decimal] | None:
        """`parse` of a column of floats, when every cell is exactly the float of a value with at most
        `decimal_places` decimals, within the bounds: the cell is then ``units / factor`` (a division of two exact
        integers, correctly rounded, is what reading the value's text gives), and `parse`'s fast path returns
        ``Decimal(units) * quantum`` for it, with ``units = round(cell * factor)``."""
        try:  # round(cell * factor), a C-level loop (float × the exact float of `factor` is float × int)
            units = list(map(round, map(float_factor.__mul__, cells)))  # NaN and ±inf raise
        except (ValueError, OverflowError):
            return None
        if (not units or not low_units <= min(units) or not max(units) <= high_units
                or not max(map(abs, cells)) < bound or tuple(map(factor.__rtruediv__, units)) != tuple(cells)):
            return None
        return list(map(quantum.__mul__, map(Decimal, units)))

    return FieldParser(parse, f"数字，最多 {decimal_places} 位小数" + _bounds_help(min_value, max_value),
                       _validation("decimal", min_value, max_value), parse_column=parse_column)


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_EXCEL_EPOCH = date(1899, 12, 30)


def _excel_serial(number: float) -> date:
    """Return the date of an Excel serial number (1900 date system, whose day 60 is the fictitious 1900-02-29)."""
    days = int(number)
    if days == 60:
        raise RowValueError("1900-02-29 不是有效日期。")
    return _EXCEL_EPOCH + timedelta(days=days + (1 if days < 60 else 0))


def _date_from_number(number: float) -> date:
    if number.is_integer() and 19000101 <= number <= 29991231:  # 20240301 typed as a number
        return _date_from_parts(str(int(number))[:4], str(int(number))[4:6], str(int(number))[6:])
    if 1 <= number < 2958466:  # 9999-12-31
        return _excel_serial(number)
    raise RowValueError(f"“{cell_text(number)}”不是有效日期，请填写如 2024-03-01。")


def _date_from_parts(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise RowValueError(f"{year}-{month}-{day} 不是有效日期。") from None


def date_value() -> FieldParser:
    """A date: an Excel date cell, a serial number, or text like 2024-03-01, 2024/3/1, 2024年3月1日, 20240301."""

    def parse(raw: Any) -> date:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return _date_from_number(float(raw))
        value = cell_text(raw)
        match = _DATE_TEXT.fullmatch(value)
        if match:
            return _date_from_parts(*match.groups())
        if value.isdigit() and len(value) == 8:
            return _date_from_parts(value[:4], value[4:6], value[6:])
        raise RowValueError(f"“{value}”不是有效日期，请填写如 2024-03-01。")

    return FieldParser(parse, "日期，如 2024-03-01、2024/3/1 或 2024年3月1日",
                       {"validate": "date", "criteria": "between", "minimum": date(1900, 1, 1),
                        "maximum": date(2999, 12, 31)})


def choice(choices: Any) -> FieldParser:
    """One of `choices` (a Django Choices class or (code, label) pairs), given as its code or its label.

    Labels stay lazy until the first row is parsed, so a schema may be declared at import time of a module.
    """
    pairs = list(getattr(choices, "choices", choices))
    labels = tuple(label for _, label in pairs)
    index: dict[str, str] = {}

    def parse(raw: Any) -> str:
        if not index:
            for code, label in pairs:
                for key in (str(code), str(code).lower(), str(label)):
                    index.setdefault(key, str(code))
        value = cell_text(raw)
        found = index.get(value) or index.get(value.lower())
        if found is None:
            raise RowValueError(f"“{value}”不是可选的值，应为：{'、'.join(map(str, labels))}。")
        return found

    help_text = format_lazy("从下拉列表选择：" + "、".join(["{}"] * len(labels)), *labels)
    return FieldParser(parse, help_text, {"validate": "list", "source": labels}, text_cell=True,
                       choices_labels=labels)


@functools.lru_cache(maxsize=100_000)
def _checked_uscc(text_value: str) -> tuple[str, str | None]:
    value = normalize_uscc(text_value)
    problem = uscc_problem(value)
    return value, problem.message if problem is not None else None


def uscc() -> FieldParser:
    """A unified social credit code (统一社会信用代码), checked to GB 32100-2015 and upper-cased."""

    def parse(raw: Any) -> str:
        # Cached: a file of annual figures names each enterprise once a year.
        value, problem = _checked_uscc(cell_text(raw))
        if problem is not None:
            raise RowValueError(problem)
        return value

    return FieldParser(parse, "18 位统一社会信用代码", {"validate": "length", "criteria": "==", "value": 18},
                       text_cell=True)


# --- regions ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionIndex:
    """Every region by code, and the codes of each name (and of each "parent name + name")."""

    names: dict[str, str]
    parents: dict[str, str | None]
    by_name: dict[str, list[str]]

    def describe(self, code: str) -> str:
        parent = self.parents.get(code)
        return f"{self.names.get(parent, '') if parent else ''}{self.names[code]}（{code}）"


def build_region_index() -> RegionIndex:
    """Read the region table once (code, name, parent)."""
    from kechuang.regions.models import Region

    names: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for code, name, parent in Region._base_manager.values_list("code", "name", "parent_id").iterator(2000):
        names[code], parents[code] = name, parent
    by_name: dict[str, list[str]] = {}
    for code, name in names.items():
        by_name.setdefault(name, []).append(code)
        parent = parents[code]
        if parent in names:
            by_name.setdefault(names[parent] + name, []).append(code)
    return RegionIndex(names, parents, by_name)


def resolve_region(index: RegionIndex, raw: Any) -> str:
    """Return the 12-digit code of a region given by its code, the 2/4/6/9-digit prefix of it, or its name."""
    value = cell_text(raw).replace(" ", "")
    if value.isdigit():
        if len(value) not in (2, 4, 6, 9, 12):
            raise RowValueError(f"区划代码“{value}”应为 12 位数字（或其前 2、4、6、9 位）。")
        code = value.ljust(12, "0")
        if code not in index.names:
            raise RowValueError(f"区划代码“{value}”不存在。")
        return code
    codes = index.by_name.get(value, [])
    if not codes:
        raise RowValueError(f"未找到名为“{value}”的区划，请填写区划代码或准确的区划名称。")
    if len(codes) > 1:
        candidates = "、".join(index.describe(code) for code in sorted(codes)[:10])
        raise RowValueError(f"“{value}”对应多个区划：{candidates}，请改填区划代码。")
    return codes[0]


def region() -> FieldParser:
    """A region (行政区划) given by its 12-digit code, a 2/4/6/9-digit prefix of it, or its exact name."""

    def bind(lookups: Lookups) -> Parse:
        index = lookups.get("regions", build_region_index)
        return lambda raw: resolve_region(index, raw)

    return FieldParser(None, "12 位区划代码（或其前 2、4、6、9 位），或准确的区划名称（重名时须填代码）",
                       text_cell=True, binder=bind)


__all__ = [
    "Column", "ColumnParse", "FieldParser", "ImportSchema", "Lookups", "ParsedRow", "RegionIndex", "RowValueError",
    "ScreenedRowCheck",
    "build_region_index", "cell_text", "choice", "date_value", "decimal_amount", "integer", "region",
    "resolve_region", "text", "uscc",
]
