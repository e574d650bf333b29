"""What an assessment (评估结果) says: eligible or not or undetermined, score, every check, and shortfalls.

A *check* is one condition of a rule with the actual figure, the requirement and the clause it comes from.
A *shortfall* (差距) belongs to a failed numeric check and is a concrete change to the facts that would make
that check pass ("近三年研发费用合计还差 9.0 万元"); applying its ``changes`` to the facts and assessing again
passes the check (a property test holds us to that). A *hint* is an improvement that is not required, such as
the points one more Ⅱ类知识产权 would add.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from kechuang.eligibility.engine.facts import COUNT, Facts, _jsonable
from kechuang.eligibility.engine.params import Points, format_number

CENT = Decimal("0.01")  # money is compared and reported to 0.01 万元 (100 元)


@dataclass(frozen=True)
class Shortfall:
    """What would close a failed check: ``changes`` are new fact values (fact → value), ``message`` says it."""

    check: str
    message: str
    changes: dict[str, Any]
    amount: Decimal | None = None
    unit: str = ""

    def apply(self, facts: Facts) -> Facts:
        return facts.replace(**self.changes)

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "message": self.message, "amount": _jsonable(self.amount), "unit": self.unit,
                "changes": {k: _jsonable(v) for k, v in self.changes.items()}}


@dataclass(frozen=True)
class Hint:
    """An optional improvement: ``gain`` more points if ``changes`` were made."""

    message: str
    gain: Decimal
    changes: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "gain": _jsonable(self.gain),
                "changes": {k: _jsonable(v) for k, v in self.changes.items()}}


@dataclass(frozen=True)
class Check:
    """One condition: ``passed`` is True, False or None (undetermined: a fact is missing or expert-judged)."""

    id: str
    label: str
    passed: bool | None
    actual: Any
    required: str
    source: str
    unit: str = ""
    missing: tuple[str, ...] = ()
    note: str = ""
    shortfall: Shortfall | None = None
    role: str = "condition"  # "condition" must hold; "route" is one of several alternatives; "info" is shown only

    @property
    def actual_text(self) -> str:
        if self.passed is None and self.missing:
            return "（数据缺失）"
        return format_number(self.actual, self.unit)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "passed": self.passed, "actual": _jsonable(self.actual),
                "actual_text": self.actual_text, "required": self.required, "source": self.source,
                "missing": list(self.missing), "note": self.note, "role": self.role,
                "shortfall": self.shortfall.as_json() if self.shortfall else None}


@dataclass(frozen=True)
class Component:
    """Points for one part of a score table (e.g. 研发投入 30 of 50)."""

    id: str
    label: str
    points: Points | None  # None: a fact it needs is missing
    maximum: Decimal
    basis: str = ""
    expert: bool = False  # the points are (partly) an expert's judgement

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "maximum": _jsonable(self.maximum), "basis": self.basis,
                "expert": self.expert,
                "points": None if self.points is None else
                {"low": _jsonable(self.points.low), "high": _jsonable(self.points.high)}}


@dataclass
class Assessment:
    """The outcome of ``assess(facts, programme, as_of)``."""

    programme: str
    label: str
    rules_version: str
    as_of: datetime.date
    facts: Facts
    eligible: bool | None = None
    score: Points | None = None
    pass_mark: str = ""
    components: list[Component] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)  # a calculator's results (e.g. 加计扣除额, 企业规模)
    expert_inputs: list[str] = field(default_factory=list)  # expert-judged facts still to supply
    summary: str = ""
    detail: bool = True  # False in bulk screening: formulas skip hints (optional advice), nothing else

    @property
    def shortfalls(self) -> list[Shortfall]:
        return [c.shortfall for c in self.failed if c.shortfall is not None]

    @property
    def failed(self) -> list[Check]:
        """The conditions that do not hold (routes not taken are not failures)."""
        return [c for c in self.checks if c.passed is False and c.role == "condition"]

    @property
    def missing(self) -> list[str]:
        return sorted({name for c in self.checks for name in c.missing})

    def check(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    @property
    def verdict_text(self) -> str:
        return {True: "符合", False: "不符合", None: "待定"}[self.eligible]

    def as_json(self) -> dict[str, Any]:
        """Return the JSON the command line and the API print (keys named by the issue)."""
        return {
            "programme": self.programme, "label": self.label, "rules_version": self.rules_version,
            "as_of": self.as_of.isoformat(), "eligible": self.eligible, "verdict": self.verdict_text,
            "score": None if self.score is None else {"low": _jsonable(self.score.low),
                                                      "high": _jsonable(self.score.high)},
            "pass_mark": self.pass_mark,
            "points": [c.as_json() for c in self.components],
            "checks": [c.as_json() for c in self.checks],
            "shortfalls": [s.as_json() for s in self.shortfalls],
            "hints": [h.as_json() for h in self.hints],
            "outputs": {k: _jsonable(v) for k, v in self.outputs.items()},
            "expert_inputs": list(self.expert_inputs), "missing": self.missing, "summary": self.summary,
            "facts": self.facts.as_json(),
        }


# --- three-valued logic -----------------------------------------------------------------------------------------


def all_of(*values: bool | None) -> bool | None:
    """All must hold: False if any is False, else None if any is undetermined, else True."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def any_of(*values: bool | None) -> bool | None:
    """One route suffices: True if any is True, else None if any is undetermined, else False."""
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def compare(actual: Decimal | None, operator: str, bound: Decimal) -> bool | None:
    """Return ``actual <op> bound`` (ge/gt/le/lt), or None when ``actual`` is missing."""
    if actual is None:
        return None
    if operator == "ge":
        return actual >= bound
    if operator == "gt":
        return actual > bound
    if operator == "le":
        return actual <= bound
    if operator == "lt":
        return actual < bound
    raise KeyError(operator)


def points_total(components: list[Component]) -> Points | None:
    """Sum the components' points; None if any component could not be scored."""
    if any(c.points is None for c in components):
        return None
    return Points(sum((c.points.low for c in components), Decimal(0)),  # type: ignore[union-attr]
                  sum((c.points.high for c in components), Decimal(0)))  # type: ignore[union-attr]


# --- shortfall arithmetic ----------------------------------------------------------------------------------------


def round_up(amount: Decimal, kind: str = "money") -> Decimal:
    """Round a needed increase up to what can be reported: whole units for counts, 0.01 万元 for money."""
    step = Decimal(1) if kind == COUNT else CENT
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


def round_down(amount: Decimal, kind: str = "money") -> Decimal:
    step = Decimal(1) if kind == COUNT else CENT
    return (amount / step).to_integral_value(rounding=ROUND_FLOOR) * step


def increased(value: Any, delta: Decimal) -> Any:
    """Return ``value`` raised by ``delta``; for a series the latest year (last element) takes the change."""
    if isinstance(value, tuple):
        return (*value[:-1], value[-1] + delta)
    return value + delta


def numerator_needed(numerator: Decimal, denominator: Decimal, operator: str, bound: Decimal,
                     kind: str = "money") -> Decimal:
    """Return the smallest reportable increase of ``numerator`` so that numerator ÷ denominator <op> bound.

    For ``ge`` the exact gap rounded up suffices; for ``gt`` one more step is added so the ratio is strictly
    above the bound.
    """
    gap = round_up(bound * denominator - numerator, kind)
    if operator == "gt" and (numerator + gap) <= bound * denominator:
        gap += Decimal(1) if kind == COUNT else CENT
    return max(gap, Decimal(0))
