"""批量筛选 (batch screening): every enterprise of a scope, assessed on its registry facts, sorted into categories.

One programme, one data year, one assessment date. Each enterprise's registry facts (``registry_facts``) are
narrowed to the facts the programme declares; its own declarations (诚信、查账征收… ``Fact.declaration``) are
taken as made — the evaluating body verifies them, the registry cannot — and the engine assesses the rest.

Categories (``ScreeningCategory``), by the verdict and whether the enterprise *holds the rung* (a qualification
of the programme's ``rung`` kind valid on the assessment date):

============== ===================================================================================================
holder         holds the rung and meets the conditions
at_risk        holds the rung but no longer meets them (风险): some condition fails
candidate      does not hold it and meets the conditions (可申报)
reserve        does not hold it and is *just short* (后备库, see below)
undetermined   the verdict waits on registry data the enterprise has not reported (待定：数据缺失)
other          everything else: fails a condition that no figure can fix, or is far from the bar
============== ===================================================================================================

*Meets the conditions* means the engine says eligible, or says "undetermined" only for what the registry can
never hold: expert-judged items (the 高企 innovation score while its range straddles the pass mark) and facts
outside the registry (e.g. whether IP was self-developed). Such entries say what the panel or the enterprise
must still supply. A holder whose verdict waits on missing registry data is ``undetermined``, not at risk.

*Just short* (后备库): every failed condition has a shortfall — so it is a numeric condition that a concrete
change of figures would meet — and the *normalised total shortfall* is at most ``RESERVE_MAX_GAP``. The
normalised shortfall of one change is ``|new − old| ÷ max(|old|, |new|)`` (for a series, over the sums of the
absolute values), a share between 0 and 1 — "R&D must rise by 5 %" counts 0.05 whatever the amount or unit —
and the total is the sum over every figure each failed condition's shortfall changes. Expert picks and assumed
declarations in a shortfall are not figures and do not count.

Ranking inside a category (``rank`` 1 = first): candidates by score, highest first (the surest applicants; no
score — by enterprise id); reserve and at-risk by the normalised total shortfall, smallest first, then by the
number of failed conditions; undetermined by how many registry facts are missing, fewest first.

Only candidate, reserve, at-risk and undetermined enterprises get a ``ScreeningEntry`` (with the facts used, so
each can be replayed); holders that still qualify and "other" are counted in ``ScreeningRun.counts`` — on a
province that keeps a run to the enterprises an officer acts on instead of half a million rows. An entry stores
numbers and facts; its texts ("未满足条件与差距", ``summarise``) are worded from those facts by the full engine when
the entry is shown or exported (``RunWording``, ``replay_summary``; decision 0011). The numbers come from the
screening triage (``triage.py``), proven equal to the full engine's.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kechuang.eligibility.engine.facts import FactError, Facts
from kechuang.eligibility.engine.params import Points, format_number
from kechuang.eligibility.engine.programme import Programme
from kechuang.eligibility.engine.result import Assessment, Check
from kechuang.eligibility.gaps import GAP_PLACES, add_shares
from kechuang.eligibility.models import ScreeningCategory as Category
from kechuang.eligibility.registry_facts import REGISTRY_FACTS
from kechuang.eligibility.triage import Verdict, triage_for

RESERVE_MAX_GAP = Decimal("0.3")  # platform setting, not policy: "just short" = figures within 30 % in total
CANDIDATE, RESERVE, AT_RISK, HOLDER, UNDETERMINED, OTHER = (
    Category.CANDIDATE.value, Category.RESERVE.value, Category.AT_RISK.value, Category.HOLDER.value,
    Category.UNDETERMINED.value, Category.OTHER.value)
CATEGORY_ORDER = (CANDIDATE, RESERVE, AT_RISK, UNDETERMINED, HOLDER, OTHER)
KEPT = frozenset({CANDIDATE, RESERVE, AT_RISK, UNDETERMINED})
_REGISTRY = frozenset(REGISTRY_FACTS)
# Registry facts that can be negative (loss, negative equity); a programme that declares them unsigned sees them
# as missing then rather than as an impossible value.
_MAY_BE_NEGATIVE = frozenset({"net_assets", "profit", "net_assets_3y", "profit_series"})


class ScreeningError(ValueError):
    """Bad input to a screening (unknown programme, a programme without a rung, a year out of range…)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(slots=True)
class Outcome:
    """One enterprise's place in one programme's screening."""

    enterprise_id: int
    category: str
    eligible: bool | None
    holds_rung: bool
    score_low: Decimal | None = None
    score_high: Decimal | None = None
    failed_count: int = 0
    gap: Decimal | None = None
    missing_count: int = 0
    summary: str | None = None  # JSON text of ``summarise()`` — only when screened ``worded`` (see Screener)
    facts: str | None = None  # JSON text of the facts assessed (``Facts.as_json``) — kept outcomes only

    @property
    def kept(self) -> bool:
        return self.category in KEPT

    def sort_key(self) -> tuple[Any, ...]:
        """Return the ranking key inside the category (see the module docstring)."""
        if self.category == CANDIDATE:
            return (-(self.score_low if self.score_low is not None else Decimal("-1")), self.enterprise_id)
        if self.category in (RESERVE, AT_RISK):
            gap = self.gap if self.gap is not None else Decimal("Infinity")
            return (gap, self.failed_count, self.enterprise_id)
        return (self.missing_count, self.enterprise_id)


class Screener:
    """Screens enterprises for one programme on one date: ``screen(enterprise id, registry facts)``.

    An outcome holds numbers and, when kept, the facts used; its texts (``summarise``) are worded when the
    entry is shown or exported (``replay_summary``). ``worded=True`` is the former way, kept as the reference
    the tests compare with: every kept outcome assessed by the full engine, its summary stored at once.
    ``use_triage=False`` assesses every enterprise in full.
    """

    def __init__(self, programme: Programme, as_of: datetime.date, *, reserve_max_gap: Decimal = RESERVE_MAX_GAP,
                 use_triage: bool = True, worded: bool = False) -> None:
        if not programme.rung:
            raise ScreeningError("programme", f"“{programme.label}”是计算器，没有对应的资质，不能批量筛选。")
        programme.formula_at(as_of)  # RulesNotInForce for a date before the first rule version
        self.programme = programme
        self.as_of = as_of
        self.rung = programme.rung
        self.reserve_max_gap = reserve_max_gap
        self.rules_version = programme.rules_version(as_of)
        facts = programme.facts
        self.declared = {f.name: True for f in facts if f.declaration}
        self.registry_names = tuple(f.name for f in facts if f.name in _REGISTRY and not f.declaration)
        self.series = {f.name: (f.min_length or f.length, f.length) for f in facts if f.is_series}
        self.unsigned = frozenset(f.name for f in facts if f.name in _MAY_BE_NEGATIVE and not f.signed)
        self.bounded = {f.name: (f.minimum, f.maximum) for f in facts
                        if f.name in _REGISTRY and (f.minimum is not None or f.maximum is not None)}
        # (name, what to check or None): most registry facts go to the engine as they are (``project``)
        self.checked_names = tuple(
            (name, (self.series.get(name), name in self.unsigned, self.bounded.get(name))
             if name in self.series or name in self.unsigned or name in self.bounded else None)
            for name in self.registry_names)
        self.triage = triage_for(programme, as_of, reserve_max_gap) if use_triage else None
        self.worded = worded
        self.assessed = 0  # enterprises the full engine assessed (the triage could not decide, or ``worded``)

    @property
    def wanted(self) -> frozenset[str]:
        """The registry facts this programme needs (always the qualifications, to tell holders)."""
        return frozenset(self.registry_names) | {"qualifications"}

    def project(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """Return the programme's facts: its declared registry facts that are present, plus its declarations.

        The registry's values are typed already (they go to the engine unvalidated); a value the programme's
        declaration would refuse — a series of a length it cannot use, a negative figure it declares unsigned, a
        number outside its bounds — is left out, so the programme sees it as missing.
        """
        projected = dict(self.declared)
        get = facts.get
        for name, rule in self.checked_names:
            value = get(name)
            if value is None:
                continue
            if rule is not None:
                lengths, unsigned, bounds = rule
                if lengths is not None and not lengths[0] <= len(value) <= lengths[1]:
                    continue
                if (unsigned and _negative(value)) or (bounds is not None and _outside(value, *bounds)):
                    continue
            projected[name] = value
        return projected

    def screen(self, enterprise_id: int, facts: Mapping[str, Any]) -> Outcome:
        """Assess one enterprise and return its outcome (the facts only for kept categories)."""
        holds = self.rung in (facts.get("qualifications") or ())
        projected = self.project(facts)
        if self.triage is not None:
            verdict = self.triage(projected, holds)
            if verdict is not None and not (self.worded and verdict.category in KEPT):
                return self.triaged(enterprise_id, holds, verdict, projected)
        self.assessed += 1
        try:
            result = self.programme.assess(projected, self.as_of, detail=False, trusted=True)
        except FactError as exc:  # inconsistent registry figures: this enterprise cannot be assessed
            return Outcome(enterprise_id, UNDETERMINED, None, holds, missing_count=1,
                           summary=_json(_refused(exc)) if self.worded else None,
                           facts=_json(Facts.trusted(projected).as_json()))
        return self.outcome(enterprise_id, holds, result)

    def triaged(self, enterprise_id: int, holds: bool, verdict: Verdict, projected: dict[str, Any]) -> Outcome:
        """The outcome the triage decided: its numbers, and the facts when it is kept."""
        score = verdict.score
        outcome = Outcome(enterprise_id, verdict.category, verdict.eligible, holds,
                          None if score is None else score.low, None if score is None else score.high,
                          verdict.failed_count, verdict.gap, verdict.missing_count)
        if verdict.category in KEPT:
            outcome.facts = facts_json(projected)
        return outcome

    def outcome(self, enterprise_id: int, holds: bool, result: Assessment) -> Outcome:
        category, gap, missing = self.categorise(result, holds)
        score = result.score
        failed = sum(1 for c in result.checks if c.passed is False and c.role == "condition")
        outcome = Outcome(enterprise_id, category, result.eligible, holds,
                          score.low if score is not None else None, score.high if score is not None else None,
                          failed, gap, missing)
        if category in KEPT:  # facts only for what is stored: the other outcomes are just counted
            outcome.facts = _json(result.facts.as_json())
            if self.worded:
                outcome.summary = _json(summarise(result, category))
        return outcome

    def categorise(self, result: Assessment, holds: bool) -> tuple[str, Decimal | None, int]:
        """Return (category, normalised total shortfall or None, how many registry facts are missing)."""
        eligible = result.eligible
        if eligible is True:
            return (HOLDER if holds else CANDIDATE), None, 0
        if eligible is False:
            gap = total_gap(result)
            if holds:
                return AT_RISK, gap, 0
            return (RESERVE if gap is not None and gap <= self.reserve_max_gap else OTHER), gap, 0
        registry_missing = len(set(result.missing) & _REGISTRY)
        if not registry_missing and self.pending_only(result):
            return (HOLDER if holds else CANDIDATE), None, 0
        return UNDETERMINED, None, registry_missing

    def pending_only(self, result: Assessment) -> bool:
        """Whether every undetermined condition waits only on what the registry can never hold."""
        for check in result.checks:
            if check.passed is None and check.role == "condition" and not _waits_outside_registry(check, result):
                return False
        return True


def _waits_outside_registry(check: Check, result: Assessment) -> bool:
    if check.missing:
        return not (set(check.missing) & _REGISTRY)
    # A score whose range straddles the pass mark until an expert panel picks points within the grades.
    return bool(result.expert_inputs) and isinstance(check.actual, Points) and not check.actual.exact


_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def facts_json(values: Mapping[str, Any]) -> str:
    """Return ``_json(Facts.trusted(values).as_json())``, written directly for the registry's types (Decimal,
    series of Decimals, bool, text, date) — a fraction of the cost, on the half of a province's outcomes that
    are kept; anything else takes the general path."""
    parts = []
    append = parts.append
    for name in sorted(values):
        value = values[name]
        cls = value.__class__
        if cls is Decimal:
            text = str(value)
            append(f'"{name}":"{format(value, "f") if "E" in text else text}"')
        elif cls is bool:
            append(f'"{name}":true' if value else f'"{name}":false')
        elif cls is tuple:
            if not value:
                append(f'"{name}":[]')
                continue
            if set(map(type, value)) != _DECIMAL_ONLY:
                return _json(Facts.trusted(dict(values)).as_json())
            text = '","'.join(map(str, value))
            if "E" in text:  # ``str`` chose an exponent somewhere: ``format(…, "f")`` for that series
                text = '","'.join([_plain(v) for v in value])
            append(f'"{name}":["{text}"]')
        elif cls is str:
            append(f'"{name}":{_json(value)}')
        elif cls is datetime.date:
            append(f'"{name}":"{value.isoformat()}"')
        else:
            return _json(Facts.trusted(dict(values)).as_json())
    return "{" + ",".join(parts) + "}"


_DECIMAL_ONLY = {Decimal}


def _plain(number: Decimal) -> str:
    """``format(number, "f")``: ``str`` is the same, and faster, unless it chose an exponent."""
    text = str(number)
    return format(number, "f") if "E" in text else text


def _outside(value: Any, low: Decimal | None, high: Decimal | None) -> bool:
    """Whether the value, or a value of the series, is below ``low`` or above ``high``."""
    if isinstance(value, tuple):
        if not value:
            return False
        return (low is not None and min(value) < low) or (high is not None and max(value) > high)
    return (low is not None and value < low) or (high is not None and value > high)


def _negative(value: Any) -> bool:
    if isinstance(value, tuple):
        return bool(value) and min(value) < 0
    return value < 0


# --- shortfalls -------------------------------------------------------------------------------------------------


def total_gap(result: Assessment) -> Decimal | None:
    """Return the normalised total shortfall of a failed assessment, or None if a failed condition has none."""
    total = add_shares(Decimal(0), result.facts, (check.shortfall for check in result.failed))
    return None if total is None else total.quantize(GAP_PLACES)


# --- what an entry says -----------------------------------------------------------------------------------------


def summarise(result: Assessment, category: str) -> list[dict[str, Any]]:
    """Return the failed and undetermined conditions as short Chinese texts (shortfall first, else the figure)."""
    lines = []
    for check in result.checks:
        if check.role != "condition" or check.passed is True:
            continue
        if check.passed is False:
            text = check.shortfall.message if check.shortfall else \
                f"实际 {check.actual_text}，要求 {check.required or '—'}"
        elif check.missing:
            text = "缺少：" + "、".join(_label(result, name) for name in check.missing)
        else:
            text = check.note or f"待定（{format_number(check.actual, check.unit)}）"
        lines.append({"check": check.id, "label": check.label, "passed": check.passed, "text": text})
    if result.expert_inputs and category in (CANDIDATE, HOLDER, UNDETERMINED):
        lines.append({"check": "expert", "label": "待专家评审", "passed": None,
                      "text": "需专家评定：" + "、".join(_label(result, n) for n in result.expert_inputs)})
    return lines


def _label(result: Assessment, name: str) -> str:
    from kechuang.eligibility.engine.programme import REGISTRY, get_programme

    programme = REGISTRY.get(result.programme) or get_programme(result.programme)
    fact = programme.fact_map.get(name)
    return fact.label if fact is not None else name


def _refused(exc: FactError) -> list[dict[str, Any]]:
    """The summary of an enterprise whose registry figures contradict each other (the engine refused them)."""
    return [{"check": "facts", "label": "数据不一致", "passed": None, "text": f"{exc.field}：{exc.message}"}]


def replay_summary(programme: Programme, as_of: datetime.date, category: str, facts: Mapping[str, Any]
                   ) -> list[dict[str, Any]]:
    """Return an entry's summary, worded now from its stored facts (``Facts.as_json``) by the full engine.

    The same texts the run would have stored: the facts are those the run assessed, and the rules in force on
    ``as_of`` are dated data never edited in place (the caller checks the run's rules version still matches).
    """
    by_name = programme.fact_map
    values = {name: by_name[name].clean(value) for name, value in facts.items() if name in by_name}
    try:
        result = programme.assess(values, as_of, detail=False, trusted=True)
    except FactError as exc:
        return _refused(exc)
    return summarise(result, category)


class RunWording:
    """The summaries of one run's entries: stored ones as stored, the others replayed (``replay_summary``)."""

    def __init__(self, run: Any) -> None:
        from kechuang.eligibility.engine.programme import get_programme

        self.programme = get_programme(run.programme)
        self.as_of = run.as_of
        # Parameters are dated and never edited in place, so this holds; if it ever did not, say so rather than
        # word an entry under rules other than those of its run.
        self.same_rules = self.programme.rules_version(run.as_of) == run.rules_version

    def lines(self, category: str, summary: list[dict[str, Any]] | None, facts: Mapping[str, Any]
              ) -> list[dict[str, Any]]:
        """Return the entry's "未满足条件与差距" lines."""
        if summary is not None:
            return summary  # a run screened before texts were worded on display
        if not self.same_rules:
            return [{"check": "rules", "label": "规则版本", "passed": None,
                     "text": "本批次的规则版本已不可用，无法重现说明。"}]
        return replay_summary(self.programme, self.as_of, category, facts)


# --- a whole scope ----------------------------------------------------------------------------------------------


ENTRY_VALUES = ("enterprise_id", "category", "eligible", "holds_rung", "score_low", "score_high", "failed_count",
                "gap", "summary", "facts")  # a ScreeningEntry's columns besides its run and rank


def entry_values(outcome: Outcome) -> tuple[Any, ...]:
    """Return a kept outcome as the values of its ``ScreeningEntry`` (``ENTRY_VALUES``)."""
    o = outcome
    return (o.enterprise_id, o.category, o.eligible, o.holds_rung, o.score_low, o.score_high, o.failed_count, o.gap,
            o.summary, o.facts or "{}")


@dataclass
class Tally:
    """One programme's outcomes over a scope: counts per category and the kept outcomes, by category, each as
    ``(sort key, entry values)`` — plain tuples, which cross a process boundary and go to the database as they
    are."""

    screener: Screener
    counts: dict[str, int]
    kept: dict[str, list[tuple[tuple[Any, ...], tuple[Any, ...]]]]
    enterprise_count: int = 0
    assessed: int = 0  # how many of them the full engine assessed (the rest: the triage)

    @classmethod
    def empty(cls, screener: Screener) -> Tally:
        return cls(screener, dict.fromkeys(CATEGORY_ORDER, 0), {category: [] for category in KEPT})

    def add(self, outcome: Outcome) -> None:
        self.enterprise_count += 1
        self.counts[outcome.category] += 1
        if outcome.kept:
            self.kept[outcome.category].append((outcome.sort_key(), entry_values(outcome)))

    def merge(self, other: Tally) -> None:
        self.enterprise_count += other.enterprise_count
        self.assessed += other.assessed
        for category, count in other.counts.items():
            self.counts[category] += count
        for category, kept in other.kept.items():
            self.kept[category].extend(kept)

    def ranked(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """Yield (rank within its category, entry values), category by category, best first.

        Sort keys end with the enterprise id, so they are unique and the values are never compared."""
        for category in CATEGORY_ORDER:
            kept = self.kept.get(category)
            if kept:
                kept.sort()
                for rank, (_key, values) in enumerate(kept, start=1):
                    yield rank, values


def screen_all(screeners: list[Screener], rows: Iterable[tuple[int, Mapping[str, Any]]]) -> list[Tally]:
    """Screen every ``(enterprise id, registry facts)`` of ``rows`` for each screener; return one tally each."""
    tallies = [Tally.empty(s) for s in screeners]
    pairs = list(zip(screeners, tallies, strict=True))
    before = [s.assessed for s in screeners]
    for enterprise_id, facts in rows:
        for screener, tally in pairs:
            tally.add(screener.screen(enterprise_id, facts))
    for (screener, tally), start in zip(pairs, before, strict=True):
        tally.assessed = screener.assessed - start
    return tallies
