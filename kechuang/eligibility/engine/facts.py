"""Facts (事实): the typed inputs of an assessment, declared per programme and validated before any rule runs.

Money is in 万元 (Decimal), ratios are decimals (0.06, not 6), counts are whole numbers, multi-year series are
lists oldest first. A fact that is absent is *missing* — never zero: the checks that need it come out
"undetermined" and say which fact is missing. Facts marked ``expert`` are judgements only an expert panel can
give (e.g. 技术的先进程度); when absent the assessment reports the reachable range instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MONEY, COUNT, RATIO, NUMBER, DATE, BOOL, TEXT, CODES = (
    "money", "count", "ratio", "number", "date", "bool", "text", "codes")
UNITS = {MONEY: "万元", COUNT: "", RATIO: "ratio", NUMBER: "", DATE: "", BOOL: "", TEXT: "", CODES: ""}


class FactError(ValueError):
    """A fact has the wrong type or an impossible value; ``field`` names it, ``message`` says why (Chinese)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Fact:
    """The declaration of one fact: name, Chinese label, kind, and for series how many years.

    ``length`` is the exact length of a series (None for a scalar); ``min_length`` allows shorter series for
    enterprises younger than the period (按实际经营时间计算). ``minimum``/``maximum`` bound a number (a point
    score, say); ``signed`` lets money be negative (profit, net assets); ``choices`` lists allowed texts.
    """

    name: str
    label: str
    kind: str
    length: int | None = None
    min_length: int | None = None
    expert: bool = False
    declaration: bool = False  # a self-declared condition (诚信、查账征收…) the registry does not hold
    signed: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    help: str = ""

    @property
    def unit(self) -> str:
        return UNITS[self.kind]

    @property
    def is_series(self) -> bool:
        return self.length is not None

    def describe_unit(self) -> str:
        """Return the unit as documentation writes it."""
        base = {MONEY: "万元", COUNT: "个/项/人", RATIO: "小数（0.06 即 6%）", NUMBER: "数值", DATE: "日期 YYYY-MM-DD",
                BOOL: "true/false", TEXT: "文本", CODES: "代码列表"}[self.kind]
        if self.is_series:
            span = f"{self.min_length}–{self.length}" if self.min_length else f"{self.length}"
            return f"{base}，{span} 年序列，由远及近"
        return base

    def clean(self, raw: Any) -> Any:
        """Return the value converted to its kind; raise FactError for a wrong type or an impossible value."""
        if self.is_series:
            return self._clean_series(raw)
        return self._clean_scalar(self.name, raw)

    def _clean_series(self, raw: Any) -> tuple[Any, ...]:
        if not isinstance(raw, list | tuple):
            raise FactError(self.name, f"应为由远及近的 {self.length} 年数值列表。")
        shortest = self.min_length or self.length
        assert self.length is not None and shortest is not None
        if not shortest <= len(raw) <= self.length:
            span = f"{shortest}–{self.length}" if shortest != self.length else f"{self.length}"
            raise FactError(self.name, f"应有 {span} 个年度数值（由远及近），实际为 {len(raw)} 个。")
        return tuple(self._clean_scalar(f"{self.name}[{i}]", item) for i, item in enumerate(raw))

    def _clean_scalar(self, field: str, raw: Any) -> Any:
        if self.kind == BOOL:
            if not isinstance(raw, bool):
                raise FactError(field, "应为 true 或 false。")
            return raw
        if self.kind == DATE:
            return _date(field, raw)
        if self.kind == TEXT:
            if not isinstance(raw, str):
                raise FactError(field, "应为文本。")
            if self.choices and raw not in self.choices:
                raise FactError(field, f"取值“{raw}”无效，可选：{'、'.join(self.choices)}。")
            return raw
        if self.kind == CODES:
            if not isinstance(raw, list | tuple | set | frozenset) or not all(isinstance(x, str) for x in raw):
                raise FactError(field, "应为文本代码列表。")
            return frozenset(raw)
        return self._clean_number(field, raw)

    def _clean_number(self, field: str, raw: Any) -> Decimal:
        number = _decimal(field, raw)
        if self.kind == COUNT and number != number.to_integral_value():
            raise FactError(field, "应为整数。")
        if number < 0 and not self.signed:
            raise FactError(field, "不能为负数。")
        if self.kind == RATIO and number > 1:
            raise FactError(field, "比例应为 0–1 之间的小数（例如 6% 写作 0.06），不能大于 1。")
        if self.minimum is not None and number < self.minimum:
            raise FactError(field, f"不能小于 {self.minimum}。")
        if self.maximum is not None and number > self.maximum:
            raise FactError(field, f"不能大于 {self.maximum}。")
        return number


def _decimal(field: str, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise FactError(field, "应为数值。")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise FactError(field, f"“{raw}”不是有效的数值。") from None
    if not number.is_finite():
        raise FactError(field, "应为有限数值。")
    return number


def _date(field: str, raw: Any) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise FactError(field, "应为日期，格式 YYYY-MM-DD。")


class Facts(Mapping[str, Any]):
    """Validated facts: only declared names, each cleaned; absent ones are missing (``facts.get(name)`` → None)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    @classmethod
    def trusted(cls, values: dict[str, Any]) -> Facts:
        """Wrap values that are already clean — declared names only, typed as ``Fact.clean`` returns them, no
        ``None`` — without validating them again (the registry builds its facts typed; bulk screening)."""
        return cls(values)

    @classmethod
    def validate(cls, declared: Iterable[Fact], raw: Mapping[str, Any], *, strict: bool = True) -> Facts:
        """Clean ``raw`` against ``declared``; ``strict`` refuses unknown names (a typo must not pass silently).

        A ``None`` value is the same as an absent fact: missing.
        """
        if not isinstance(raw, Mapping):
            raise FactError("facts", "事实应为 JSON 对象（名称 → 数值）。")
        by_name = {fact.name: fact for fact in declared}
        unknown = sorted(set(raw) - set(by_name))
        if strict and unknown:
            raise FactError(unknown[0], f"未知的事实名称（本项目可用：{'、'.join(sorted(by_name))}）。")
        values = {name: by_name[name].clean(value) for name, value in raw.items()
                  if name in by_name and value is not None}
        return cls(values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:  # the Mapping mixin's get is 4× slower
        return self._values.get(name, default)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **changes: Any) -> Facts:
        """Return a copy with some facts replaced (used by what-if and by shortfall checks)."""
        return Facts({**self._values, **changes})

    def as_json(self) -> dict[str, Any]:
        """Return the facts as JSON-ready values (Decimals as strings, dates as ISO, series as lists)."""
        return {name: _jsonable(value) for name, value in sorted(self._values.items())}


def _jsonable(value: Any) -> Any:
    cls = value.__class__
    if cls is Decimal:  # the common cases first, without the import below (screening stores many facts)
        return format(value, "f")
    if cls is tuple:
        return [_jsonable(v) for v in value]
    if cls is bool or cls is str or value is None:
        return value
    from kechuang.eligibility.engine.params import Points

    if isinstance(value, Points):
        return {"low": format(value.low, "f"), "high": format(value.high, "f")}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):  # an item of a list-of-objects fact (e.g. rd_deduction's projects)
        return {key: _jsonable(item) for key, item in value.items()}
    return value
