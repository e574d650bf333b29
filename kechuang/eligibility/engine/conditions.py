"""条件库 (condition library): the condition types a local programme (地方培育项目) is composed from, as data.

A bureau writes its programme — 瞪羚、独角兽、雏鹰 or its own 旭日计划 — as a tree of conditions in YAML
(``kechuang/eligibility/local/*.yaml`` or the admin page; see ``engine/local.py``). Each leaf names a *type*
from this library with its facts and thresholds; ``all:`` / ``any:`` compose them with three-valued logic
(``engine.result.all_of``/``any_of``: a missing fact makes a check undetermined, never zero).

Every leaf gives one Check with the actual figure, the requirement and its source; a failed numeric check also
gets a Shortfall whose ``changes`` make it pass (each one is verified by judging the changed facts again).
Band edges are explicit: ``ge`` ≥, ``gt`` >, ``le`` ≤, ``lt`` <, and a band table ends with ``else``.

This module judges; ``engine/local.py`` parses and validates definitions into these objects.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, ClassVar

from kechuang.eligibility.engine.facts import COUNT, MONEY, NUMBER, RATIO, Fact, Facts
from kechuang.eligibility.engine.params import OPERATORS, Band, format_number
from kechuang.eligibility.engine.result import Assessment, Check, Shortfall, all_of, any_of

COUNT_UNITS = {"employees": "人", "tech_staff": "人", "rd_staff": "人", "employees_series": "人", "class1_ip": "项",
               "class2_ip": "项", "conversions": "项", "standards_led": "项", "conversions_3y": "项"}
NUMERIC_KINDS = (MONEY, COUNT, RATIO, NUMBER)
RATE_PLACES = Decimal("0.000001")  # reported ratios and rates; pass/fail is decided on exact figures
STEPS = {MONEY: Decimal("0.01"), COUNT: Decimal(1), RATIO: Decimal("0.0001"), NUMBER: Decimal("0.01")}


# --- small pieces: thresholds, band tables, verdicts -----------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """``actual <operator> bound``."""

    operator: str
    bound: Any

    def holds(self, actual: Any) -> bool:
        return {"ge": actual >= self.bound, "gt": actual > self.bound, "le": actual <= self.bound,
                "lt": actual < self.bound}[self.operator]

    def describe(self, unit: str = "") -> str:
        bound = self.bound.isoformat() if isinstance(self.bound, datetime.date) else format_number(self.bound, unit)
        return f"{OPERATORS[self.operator]} {bound}"


@dataclass(frozen=True)
class Requirement:
    """A fixed threshold, or one chosen by the band another fact falls in (雏鹰: 研发占比要求随销售收入而定).

    Bands are read like a parameter scale: the first band whose condition holds wins; the last is ``else``; a
    band's value is a Threshold, or None for "不符合（无对应标准）".
    """

    fixed: Threshold | None = None
    band_by: str = ""
    bands: tuple[Band, ...] = ()

    def choose(self, facts: Facts, vocabulary: dict[str, Fact]) -> tuple[Threshold | None, str, tuple[str, ...]]:
        """Return (threshold, band description, missing facts) for these facts."""
        if self.fixed is not None:
            return self.fixed, "", ()
        x = latest(facts.get(self.band_by))
        if x is None:
            return None, "", (self.band_by,)
        fact = vocabulary[self.band_by]
        band = next(b for b in self.bands if b.matches(x))
        return band.value, f"{band_label(fact)} {band.describe(unit_of(fact))}", ()

    def describe(self, unit: str, vocabulary: dict[str, Fact]) -> str:
        if self.fixed is not None:
            return self.fixed.describe(unit)
        fact = vocabulary[self.band_by]
        rows = []
        for band in self.bands:
            when = "其他" if band.operator == "else" else f"{band_label(fact)} {band.describe(unit_of(fact))}"
            rows.append(f"{when}：{band.value.describe(unit) if band.value else '不符合'}")
        return "；".join(rows)


@dataclass(frozen=True)
class Verdict:
    """The outcome of judging one condition on some facts."""

    passed: bool | None
    actual: Any = None
    required: str = ""
    unit: str = ""
    missing: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Proposal:
    """A change of facts that should make a failed condition pass (verified before it becomes a Shortfall)."""

    changes: dict[str, Any]
    amount: Decimal
    message: str
    unit: str = ""


def latest(value: Any) -> Any:
    """Return the latest year of a series (its last element), or the value itself."""
    if isinstance(value, tuple):
        return value[-1] if value else None
    return value


def band_label(fact: Fact) -> str:
    return f"{fact.label}（最近一年）" if fact.is_series else fact.label


def unit_of(fact: Fact) -> str:
    return COUNT_UNITS.get(fact.name, "") if fact.kind == COUNT else fact.unit


def step_of(fact: Fact) -> Decimal:
    return STEPS.get(fact.kind, Decimal("0.01"))


def round_to(amount: Decimal, step: Decimal, up: bool = True) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR) * step


def amount_text(amount: Decimal, fact: Fact) -> str:
    if fact.kind == MONEY:
        text = format(amount.quantize(Decimal("0.01")), "f").rstrip("0")
        return f"{text}0 万元" if text.endswith(".") else f"{text} 万元"
    return format_number(amount, unit_of(fact))


def replaced(value: Any, index: int, new: Any) -> Any:
    """Return ``value`` with its element at ``index`` replaced (for a series), or ``new`` for a scalar."""
    if isinstance(value, tuple):
        items = list(value)
        items[index] = new
        return tuple(items)
    return new


# --- the tree: leaves and groups -------------------------------------------------------------------------------


@dataclass
class Node(ABC):
    """A condition or a group; ``id`` names its check, ``label`` its Chinese name, ``source`` its citation."""

    id: str
    label: str
    source: str

    @abstractmethod
    def fact_names(self) -> set[str]:
        """Return the fact names the node reads."""

    @abstractmethod
    def passed(self, facts: Facts, as_of: datetime.date) -> bool | None:
        """Return whether the node holds (None: undetermined)."""

    @abstractmethod
    def fix(self, facts: Facts, as_of: datetime.date) -> tuple[dict[str, Any], list[str]] | None:
        """Return (changes, Chinese notes) that make this node pass, {} if it passes, None if nothing known does."""

    @abstractmethod
    def run(self, facts: Facts, as_of: datetime.date, result: Assessment, role: str) -> bool | None:
        """Judge the node, append its check(s) to ``result`` and return whether it holds."""


@dataclass
class Condition(Node):
    """A leaf: one condition type with its parameters; ``vocabulary`` is the facts the definition may use."""

    vocabulary: dict[str, Fact] = field(default_factory=dict, repr=False)

    type_name: ClassVar[str] = ""
    title: ClassVar[str] = ""  # the type's Chinese name, listed on the admin page
    usage: ClassVar[str] = ""  # how to write it (Chinese), listed on the admin page
    keys: ClassVar[frozenset[str]] = frozenset()
    operators: ClassVar[tuple[str, ...]] = ()  # threshold keys the type takes (ge/gt/le/lt)

    @abstractmethod
    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        """Return the verdict of this condition on ``facts`` (each condition type implements it)."""

    def default_label(self) -> str:
        return self.title

    def propose(self, facts: Facts, as_of: datetime.date) -> Proposal | None:
        return None

    def passed(self, facts: Facts, as_of: datetime.date) -> bool | None:
        return self.judge(facts, as_of).passed

    def shortfall(self, facts: Facts, as_of: datetime.date) -> Shortfall | None:
        """Return the proposal as a Shortfall, only if applying it really makes the condition pass."""
        proposal = self.propose(facts, as_of)
        if proposal is None or self.passed(facts.replace(**proposal.changes), as_of) is not True:
            return None
        return Shortfall(self.id, proposal.message, proposal.changes, proposal.amount, proposal.unit)

    def fix(self, facts: Facts, as_of: datetime.date) -> tuple[dict[str, Any], list[str]] | None:
        passed = self.passed(facts, as_of)
        if passed is True:
            return {}, []
        shortfall = self.shortfall(facts, as_of) if passed is False else None
        return None if shortfall is None else (shortfall.changes, [shortfall.message])

    def run(self, facts: Facts, as_of: datetime.date, result: Assessment, role: str) -> bool | None:
        verdict = self.judge(facts, as_of)
        shortfall = self.shortfall(facts, as_of) if verdict.passed is False else None
        result.checks.append(Check(self.id, self.label, verdict.passed, verdict.actual, verdict.required,
                                   self.source, verdict.unit, verdict.missing, verdict.note, shortfall, role))
        return verdict.passed

    def fact(self, name: str) -> Fact:
        return self.vocabulary[name]

    def missing(self, facts: Facts, *names: str) -> tuple[str, ...]:
        return tuple(name for name in names if facts.get(name) is None)


@dataclass
class Group(Node):
    """``all:`` (every child holds) or ``any:`` (one route suffices), with three-valued logic.

    An ``any`` group, and an ``all`` group that is one route of an ``any``, adds a check of its own (before its
    children's) saying how many of its items hold; its shortfall is the cheapest route's changes.
    """

    mode: str = "all"
    children: list[Node] = field(default_factory=list)
    emits: bool = False

    def fact_names(self) -> set[str]:
        return set().union(*(child.fact_names() for child in self.children))

    def passed(self, facts: Facts, as_of: datetime.date) -> bool | None:
        combine = all_of if self.mode == "all" else any_of
        return combine(*(child.passed(facts, as_of) for child in self.children))

    def fix(self, facts: Facts, as_of: datetime.date) -> tuple[dict[str, Any], list[str]] | None:
        return self._fix_all(facts, as_of) if self.mode == "all" else self._fix_any(facts, as_of)

    def _fix_all(self, facts: Facts, as_of: datetime.date) -> tuple[dict[str, Any], list[str]] | None:
        changes: dict[str, Any] = {}
        notes: list[str] = []
        for _ in range(len(self.children) + 1):  # a later fix may undo an earlier one: re-check, bounded
            current = facts.replace(**changes)
            failing = [c for c in self.children if c.passed(current, as_of) is not True]
            if not failing:
                return changes, notes
            found = failing[0].fix(current, as_of)
            if found is None:
                return None
            changes.update(found[0])
            notes.extend(found[1])
        return (changes, notes) if self.passed(facts.replace(**changes), as_of) is True else None

    def _fix_any(self, facts: Facts, as_of: datetime.date) -> tuple[dict[str, Any], list[str]] | None:
        options = []
        for child in self.children:
            found = child.fix(facts, as_of)
            if found is not None and self.passed(facts.replace(**found[0]), as_of) is True:
                options.append((len(found[0]), child, found))
        if not options:
            return None
        _, child, (changes, notes) = min(options, key=lambda option: option[0])  # fewest facts to change
        return changes, [f"按“{child.label}”：{'，'.join(notes)}" if notes else child.label]

    def run(self, facts: Facts, as_of: datetime.date, result: Assessment, role: str) -> bool | None:
        position = len(result.checks)
        inner = "route" if self.mode == "any" else role
        outcomes = [child.run(facts, as_of, result, inner) for child in self.children]
        passed = (all_of if self.mode == "all" else any_of)(*outcomes)
        if self.emits:
            result.checks.insert(position, self._check(facts, as_of, outcomes, passed, role))
        return passed

    def _check(self, facts: Facts, as_of: datetime.date, outcomes: list[bool | None], passed: bool | None,
               role: str) -> Check:
        held = sum(1 for o in outcomes if o is True)
        required = "任一项满足" if self.mode == "any" else "全部满足"
        missing = tuple(sorted(n for n in self.fact_names() if facts.get(n) is None)) if passed is None else ()
        shortfall = None
        if passed is False:
            found = self.fix(facts, as_of)
            if found is not None and found[0]:
                shortfall = Shortfall(self.id, "；".join(found[1]), found[0])
        return Check(self.id, self.label, passed, f"满足 {held} 项（共 {len(outcomes)} 项）", required,
                     self.source, "", missing, "", shortfall, role)


# --- numeric conditions --------------------------------------------------------------------------------------


@dataclass
class ValueCondition(Condition):
    """数值门槛: a fact (or the sum of several) against a threshold — e.g. 研发费用 ≥ 50 万元.

    ``years_before: 3`` reads a series three years before its latest (the base year of a 3-year CAGR).
    """

    type_name: ClassVar[str] = "value"
    title: ClassVar[str] = "数值门槛（≥、>、≤、<）"
    usage: ClassVar[str] = ("{fact: 事实, ge: 50}；或 sum_of: [事实, …] 求和；序列事实可用 years_before: 3 取往年；"
                            "可用 band_by + bands 分档")
    keys: ClassVar[frozenset[str]] = frozenset({"fact", "sum_of", "years_before", "band_by", "bands"})
    operators: ClassVar[tuple[str, ...]] = tuple(OPERATORS)
    names: tuple[str, ...] = ()
    years_before: int = 0
    requirement: Requirement = field(default_factory=Requirement)

    def fact_names(self) -> set[str]:
        return {*self.names, *([self.requirement.band_by] if self.requirement.band_by else [])}

    def actual(self, facts: Facts) -> Decimal | None:
        values = [facts.get(name) for name in self.names]
        if any(v is None for v in values):
            return None
        if isinstance(values[0], tuple):
            index = len(values[0]) - 1 - self.years_before
            return values[0][index] if index >= 0 else None
        return sum(values, Decimal(0))

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        unit = unit_of(self.fact(self.names[0]))
        threshold, band, band_missing = self.requirement.choose(facts, self.vocabulary)
        actual = self.actual(facts)
        required = threshold.describe(unit) if threshold else self.requirement.describe(unit, self.vocabulary)
        if actual is None or band_missing:
            missing = self.missing(facts, *self.names) or (() if actual is not None else self.names)
            return Verdict(None, actual, required, unit, missing + band_missing, self._short_note(facts))
        if threshold is None:
            return Verdict(False, actual, required, unit, note=f"{band}：无对应标准")
        return Verdict(threshold.holds(actual), actual, required, unit, note=f"适用档次：{band}" if band else "")

    def default_label(self) -> str:
        fact = self.fact(self.names[0])
        if fact.is_series:
            return f"{fact.label}（最近一年之前 {self.years_before} 年）" if self.years_before else band_label(fact)
        return "＋".join(self.fact(name).label for name in self.names)

    def _short_note(self, facts: Facts) -> str:
        series = facts.get(self.names[0])
        if isinstance(series, tuple) and len(series) <= self.years_before:
            return f"需要 {self.years_before + 1} 个年度的数据，实际只有 {len(series)} 个"
        return ""

    def propose(self, facts: Facts, as_of: datetime.date) -> Proposal | None:
        threshold, _, _ = self.requirement.choose(facts, self.vocabulary)
        actual = self.actual(facts)
        if threshold is None or actual is None:
            return None
        name = self.names[-1]
        fact = self.fact(name)
        step = step_of(fact)
        rising = threshold.operator in ("ge", "gt")
        target = round_to(threshold.bound, step, up=rising)
        if threshold.operator == "gt" and target <= threshold.bound:
            target += step
        if threshold.operator == "lt" and target >= threshold.bound:
            target -= step
        delta = target - actual
        current = facts[name]
        index = len(current) - 1 - self.years_before if isinstance(current, tuple) else 0
        new_value = replaced(current, index, (current[index] if isinstance(current, tuple) else current) + delta)
        if latest(new_value) < 0 and not fact.signed:
            return None
        verb = "还差" if rising else "超出上限"
        return Proposal({name: new_value}, abs(delta), f"{self.label}{verb} {amount_text(abs(delta), fact)}",
                        unit_of(fact))


@dataclass
class RatioCondition(Condition):
    """比例门槛: numerator ÷ denominator against a threshold, fixed or chosen by a band (雏鹰研发占比).

    ``numerator_in_denominator: true`` says the numerator is part of the denominator (科技人员 ⊂ 职工), so the
    shortfall adds to both.
    """

    type_name: ClassVar[str] = "ratio"
    title: ClassVar[str] = "比例门槛（可按收入分档）"
    usage: ClassVar[str] = ("{numerator: 分子, denominator: 分母, ge: 0.05}；分档：band_by: sales_revenue, "
                            "bands: [{lt: 3000, require: {ge: 0.05}}, …, {else: fail}]；"
                            "分子是分母的一部分时加 numerator_in_denominator: true")
    keys: ClassVar[frozenset[str]] = frozenset({"numerator", "denominator", "numerator_in_denominator",
                                                "band_by", "bands"})
    operators: ClassVar[tuple[str, ...]] = tuple(OPERATORS)
    numerator: str = ""
    denominator: str = ""
    nested: bool = False
    requirement: Requirement = field(default_factory=Requirement)

    def fact_names(self) -> set[str]:
        return {self.numerator, self.denominator, *([self.requirement.band_by] if self.requirement.band_by else [])}

    def default_label(self) -> str:
        return f"{self.fact(self.numerator).label} ÷ {self.fact(self.denominator).label}"

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        threshold, band, band_missing = self.requirement.choose(facts, self.vocabulary)
        required = threshold.describe("ratio") if threshold else self.requirement.describe("ratio", self.vocabulary)
        note = f"适用档次：{band}" if band else ""
        missing = self.missing(facts, self.numerator, self.denominator) + band_missing
        if missing:
            return Verdict(None, None, required, "ratio", missing)
        numerator, denominator = facts[self.numerator], facts[self.denominator]
        if denominator == 0:
            return Verdict(False, None, required, "ratio", note=f"{self.fact(self.denominator).label}为 0，无法计算比例")
        actual = (numerator / denominator).quantize(RATE_PLACES)
        if threshold is None:
            return Verdict(False, actual, required, "ratio", note=f"{band}：无对应标准")
        return Verdict(self.holds(threshold, numerator, denominator), actual, required, "ratio", note=note)

    @staticmethod
    def holds(threshold: Threshold, numerator: Decimal, denominator: Decimal) -> bool:
        """Decide exactly on numerator ⋚ bound × denominator, never on a rounded quotient at the edge."""
        if denominator > 0:
            return Threshold(threshold.operator, threshold.bound * denominator).holds(numerator)
        return threshold.holds(numerator / denominator)

    def propose(self, facts: Facts, as_of: datetime.date) -> Proposal | None:
        threshold, _, _ = self.requirement.choose(facts, self.vocabulary)
        if threshold is None or threshold.operator not in ("ge", "gt") or not facts.get(self.denominator):
            return None
        numerator, denominator, bound = facts[self.numerator], facts[self.denominator], threshold.bound
        fact = self.fact(self.numerator)
        step = step_of(fact)
        if self.nested:  # (n + k) ÷ (d + k) ≥ r  ⇔  k ≥ (r·d − n) ÷ (1 − r)
            if bound >= 1:
                return None
            more = round_to((bound * denominator - numerator) / (1 - bound), step)
        else:
            more = round_to(bound * denominator - numerator, step)
        while not self.holds(threshold, numerator + more, denominator + (more if self.nested else 0)):
            more += step  # "gt" needs one step past the edge
        changes = {self.numerator: numerator + more}
        if self.nested:
            changes[self.denominator] = denominator + more
        return Proposal(changes, more, f"{fact.label}还需增加 {amount_text(more, fact)}（{self.label}达到 "
                                       f"{threshold.describe('ratio')}）", unit_of(fact))


@dataclass
class SeriesCondition(Condition):
    """Common ground of growth and CAGR: a numeric series, oldest first, and a (banded) requirement."""

    keys: ClassVar[frozenset[str]] = frozenset({"fact", "band_by", "bands"})
    operators: ClassVar[tuple[str, ...]] = tuple(OPERATORS)
    series: str = ""
    years: int = 1
    requirement: Requirement = field(default_factory=Requirement)

    def fact_names(self) -> set[str]:
        return {self.series, *([self.requirement.band_by] if self.requirement.band_by else [])}

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        threshold, band, band_missing = self.requirement.choose(facts, self.vocabulary)
        required = threshold.describe("ratio") if threshold else self.requirement.describe("ratio", self.vocabulary)
        values = facts.get(self.series)
        if values is None or len(values) < self.years + 1 or band_missing:
            note = "" if values is None else f"需要 {self.years + 1} 个年度的数据，实际只有 {len(values)} 个"
            return Verdict(None, None, required, "ratio", self.missing(facts, self.series) + band_missing
                           or (self.series,), note)
        base, end = values[-1 - self.years], values[-1]
        if base <= 0 or end < 0:
            return Verdict(False, None, required, "ratio", note="基期数值不为正，无法计算增长率")
        actual = self.rate(base, end)
        if threshold is None:
            return Verdict(False, actual, required, "ratio", note=f"{band}：无对应标准")
        # Decided exactly on end ⋚ base × (1 + r)^n, so a rate exactly on the edge is never lost to rounding.
        passed = Threshold(threshold.operator, base * (1 + threshold.bound) ** self.years).holds(end)
        return Verdict(passed, actual, required, "ratio", note=f"适用档次：{band}" if band else self.basis(values))

    def rate(self, base: Decimal, end: Decimal) -> Decimal:
        growth = end / base
        return ((growth if self.years == 1 else growth ** (Decimal(1) / self.years)) - 1).quantize(RATE_PLACES)

    def basis(self, values: tuple[Decimal, ...]) -> str:
        fact = self.fact(self.series)
        return (f"{format_number(values[-1 - self.years], unit_of(fact))} → "
                f"{format_number(values[-1], unit_of(fact))}（{self.years} 年）")

    def propose(self, facts: Facts, as_of: datetime.date) -> Proposal | None:
        threshold, _, _ = self.requirement.choose(facts, self.vocabulary)
        values = facts.get(self.series)
        if threshold is None or threshold.operator not in ("ge", "gt") or values is None:
            return None
        if len(values) < self.years + 1 or values[-1 - self.years] <= 0:
            return None
        fact = self.fact(self.series)
        step = step_of(fact)
        edge = values[-1 - self.years] * (1 + threshold.bound) ** self.years
        target = round_to(edge, step)
        if threshold.operator == "gt" and target <= edge:
            target += step
        more = target - values[-1]
        return Proposal({self.series: replaced(values, len(values) - 1, target)}, more,
                        f"{fact.label}最近一年还需增加 {amount_text(more, fact)}（{self.label}达到 "
                        f"{threshold.describe('ratio')}）", unit_of(fact))


@dataclass
class GrowthCondition(SeriesCondition):
    """同比增长率: (latest − previous) ÷ previous of the last two entries of a series."""

    type_name: ClassVar[str] = "growth"
    title: ClassVar[str] = "同比增长率（序列最后两年）"
    usage: ClassVar[str] = "{fact: sales_revenue_series, gt: 0}：（最近一年 − 上一年）÷ 上一年"

    def default_label(self) -> str:
        return f"{self.fact(self.series).label}同比增长率"


@dataclass
class CagrCondition(SeriesCondition):
    """年均复合增长率 over ``years``: (end ÷ base)^(1/years) − 1 on the last years + 1 entries (RULES §8.3)."""

    type_name: ClassVar[str] = "cagr"
    title: ClassVar[str] = "N 年复合增长率"
    usage: ClassVar[str] = "{fact: sales_revenue_series, years: 3, ge: 0.20}：（最近一年 ÷ N 年前）^(1/N) − 1"
    keys: ClassVar[frozenset[str]] = frozenset({"fact", "years", "band_by", "bands"})

    def default_label(self) -> str:
        return f"{self.fact(self.series).label} {self.years} 年复合增长率"


# --- dates, memberships, declarations --------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """Return the anniversary; 29 February falls on 28 February (民法典 第二百零三条：没有对应日的，月末日为最后一日)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def full_years(start: datetime.date, end: datetime.date) -> int:
    years = end.year - start.year
    return years - 1 if add_years(start, years) > end else years


@dataclass
class AgeCondition(Condition):
    """成立年限: years from ``registered_on`` to the assessment date, compared by anniversary.

    ``le: 5`` (成立不超过 5 年) holds up to and including the 5th anniversary; ``lt: 5`` only before it;
    ``ge: 2`` from the 2nd anniversary on; ``gt: 2`` from the day after it. One lower and one upper bound may
    be combined (5–9 年).
    """

    type_name: ClassVar[str] = "age"
    title: ClassVar[str] = "成立年限（按周年日计算）"
    usage: ClassVar[str] = "{le: 5}：满 5 周年当日仍符合；{lt: 5}：满 5 周年前；可同时给下限与上限，如 {gt: 5, le: 9}"
    keys: ClassVar[frozenset[str]] = frozenset()
    operators: ClassVar[tuple[str, ...]] = tuple(OPERATORS)
    thresholds: tuple[Threshold, ...] = ()

    def default_label(self) -> str:
        return "成立年限"

    def fact_names(self) -> set[str]:
        return {"registered_on"}

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        required = "，且 ".join(f"成立年限 {t.describe('年')}" for t in self.thresholds)
        registered = facts.get("registered_on")
        if registered is None:
            return Verdict(None, None, required, "年", ("registered_on",))
        if registered > as_of:
            return Verdict(False, None, required, "年", note="注册日期晚于评估日期")
        passed = all(self._holds(t, registered, as_of) for t in self.thresholds)
        return Verdict(passed, Decimal(full_years(registered, as_of)), required, "年",
                       note=f"{registered.isoformat()} 成立，满周岁计")

    @staticmethod
    def _holds(threshold: Threshold, registered: datetime.date, as_of: datetime.date) -> bool:
        anniversary = add_years(registered, int(threshold.bound))
        return Threshold(threshold.operator, anniversary).holds(as_of)


@dataclass
class DateCondition(Condition):
    """日期范围: a date fact against one or two dates (雏鹰 2022: 2016-06-01 ≤ 注册日期 ≤ 2021-05-31)."""

    type_name: ClassVar[str] = "date"
    title: ClassVar[str] = "日期范围（如注册日期窗口）"
    usage: ClassVar[str] = "{fact: registered_on, ge: 2016-06-01, le: 2021-05-31}（含两端）"
    keys: ClassVar[frozenset[str]] = frozenset({"fact"})
    operators: ClassVar[tuple[str, ...]] = tuple(OPERATORS)
    name: str = ""
    thresholds: tuple[Threshold, ...] = ()

    def fact_names(self) -> set[str]:
        return {self.name}

    def default_label(self) -> str:
        return self.fact(self.name).label

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        required = "，且 ".join(t.describe() for t in self.thresholds)
        day = facts.get(self.name)
        if day is None:
            return Verdict(None, None, required, missing=(self.name,))
        return Verdict(all(t.holds(day) for t in self.thresholds), day.isoformat(), required)


@dataclass
class QualificationCondition(Condition):
    """持有资质: one of ``kind`` is among the qualifications valid on the date (高企 also by holds_valid_hnte)."""

    type_name: ClassVar[str] = "qualification_held"
    title: ClassVar[str] = "持有有效资质"
    usage: ClassVar[str] = "{kind: hnte} 或 {kind: [tsme, hnte]}（任一）；读取 qualifications，高企也可读 holds_valid_hnte"
    keys: ClassVar[frozenset[str]] = frozenset({"kind"})
    kinds: tuple[str, ...] = ()

    def default_label(self) -> str:
        return f"持有有效资质（{self.names_text()}）"

    def names_text(self) -> str:
        """Return the kinds by name, e.g. "科技型中小企业（入库）或高新技术企业" (built-in kinds; else the code)."""
        from kechuang.enterprises.services import BUILTIN_KINDS

        names = {kind[0]: kind[1] for kind in BUILTIN_KINDS}
        return "或".join(names.get(kind, kind) for kind in self.kinds)

    def fact_names(self) -> set[str]:
        return {"qualifications", *(["holds_valid_hnte"] if "hnte" in self.kinds else [])}

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        required = "持有：" + self.names_text()
        held, hnte = facts.get("qualifications"), facts.get("holds_valid_hnte")
        by_flag = "hnte" in self.kinds and hnte is True
        if held is None:  # the list is authoritative when given; the 高企 flag alone answers only for 高企
            flag_known = "hnte" in self.kinds and hnte is not None
            return (Verdict(by_flag, "是" if by_flag else "否", required) if flag_known
                    else Verdict(None, None, required, missing=tuple(sorted(self.fact_names()))))
        found = sorted(set(self.kinds) & held)
        return Verdict(bool(found) or by_flag, "、".join(found) or ("hnte" if by_flag else "无"), required)


@dataclass
class MembershipCondition(Condition):
    """属于/不属于: a coded fact in (or not in) a list — the base of field, industry and listing."""

    keys: ClassVar[frozenset[str]] = frozenset({"in", "not_in"})
    fact_name: ClassVar[str] = ""
    codes: tuple[str, ...] = ()
    negate: bool = False

    def fact_names(self) -> set[str]:
        return {self.fact_name}

    def default_label(self) -> str:
        return self.fact(self.fact_name).label

    def code_of(self, value: str) -> set[str]:
        return {value}

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        required = ("不属于：" if self.negate else "属于：") + "、".join(self.codes)
        value = facts.get(self.fact_name)
        if value is None:
            return Verdict(None, None, required, missing=(self.fact_name,))
        inside = bool(self.code_of(value) & set(self.codes))
        return Verdict(inside != self.negate, value, required)


@dataclass
class FieldCondition(MembershipCondition):
    """高新技术领域: ``hightech_field`` ("1".."8") in a list."""

    type_name: ClassVar[str] = "field"
    title: ClassVar[str] = "高新技术领域属于/不属于"
    usage: ClassVar[str] = "{in: ['1', '2']} 或 {not_in: [...]}：八大领域代码 1–8"
    fact_name: ClassVar[str] = "hightech_field"


@dataclass
class IndustryCondition(MembershipCondition):
    """行业: the industry code's section letter (门类) or 2-digit division (大类) in a list (GB/T 4754-2017)."""

    type_name: ClassVar[str] = "industry"
    title: ClassVar[str] = "行业门类/大类属于/不属于"
    usage: ClassVar[str] = "{in: [C, I]} 或 {not_in: ['65']}：GB/T 4754 门类字母或两位大类"
    fact_name: ClassVar[str] = "industry"

    def code_of(self, value: str) -> set[str]:
        from kechuang.enterprises.industry import section_of

        return {value[:2], *([section_of(value)] if section_of(value) else [])}


@dataclass
class ListingCondition(MembershipCondition):
    """上市状态: ``listing_status`` in a list (unlisted/neeq/main/star/chinext/bse/overseas)."""

    type_name: ClassVar[str] = "listing"
    title: ClassVar[str] = "上市状态属于/不属于"
    usage: ClassVar[str] = "{in: [unlisted, neeq]}：unlisted、neeq、main、star、chinext、bse、overseas"
    fact_name: ClassVar[str] = "listing_status"


@dataclass
class DeclaredCondition(Condition):
    """声明事项: a yes/no fact (often declared by the definition itself) must be true."""

    type_name: ClassVar[str] = "declared"
    title: ClassVar[str] = "声明/核实事项为“是”"
    usage: ClassVar[str] = "{fact: 事实}：是/否事实须为“是”；项目自有事实在 facts 中声明"
    keys: ClassVar[frozenset[str]] = frozenset({"fact"})
    name: str = ""

    def fact_names(self) -> set[str]:
        return {self.name}

    def default_label(self) -> str:
        return self.fact(self.name).label

    def judge(self, facts: Facts, as_of: datetime.date) -> Verdict:
        value = facts.get(self.name)
        if value is None:
            return Verdict(None, None, "是", missing=(self.name,))
        return Verdict(value is True, "是" if value else "否", "是")


@dataclass
class CountCondition(ValueCondition):
    """数量门槛: whole-number facts (人、项) against a threshold; several facts may be summed (Ⅰ类+Ⅱ类)."""

    type_name: ClassVar[str] = "count"
    title: ClassVar[str] = "数量门槛（人数、件数，可求和）"
    usage: ClassVar[str] = "{fact: employees, ge: 10} 或 {sum_of: [class1_ip, class2_ip], ge: 1}：只用整数事实"


@dataclass
class SizeLimitCondition(ValueCondition):
    """规模上限: a size figure (职工、销售收入、资产) must not exceed a limit (le / lt only)."""

    type_name: ClassVar[str] = "size_limit"
    title: ClassVar[str] = "规模上限（≤、<）"
    usage: ClassVar[str] = "{fact: sales_revenue, le: 5000}：只接受 le、lt"
    keys: ClassVar[frozenset[str]] = frozenset({"fact"})
    operators: ClassVar[tuple[str, ...]] = ("le", "lt")

    def default_label(self) -> str:
        return f"{self.fact(self.names[0]).label}不超过上限"


TYPES: dict[str, type[Condition]] = {cls.type_name: cls for cls in (
    ValueCondition, CountCondition, SizeLimitCondition, RatioCondition, GrowthCondition, CagrCondition,
    AgeCondition, DateCondition, QualificationCondition, FieldCondition, IndustryCondition, ListingCondition,
    DeclaredCondition)}


def library() -> list[tuple[str, str, str]]:
    """Return (type, Chinese title, how to write it) of every condition type, for the admin page."""
    return [(name, cls.title, cls.usage) for name, cls in TYPES.items()]

