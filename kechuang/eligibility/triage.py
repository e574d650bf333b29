"""快速分诊 (screening triage): every screening outcome's numbers without the full assessment.

Batch screening of a province assesses half a million enterprises per programme. A run stores, per listed
enterprise, only numbers and facts — category, verdict, score, failed count, normalised total shortfall, missing
count (decision 0011); its Chinese texts are worded from the facts when the entry is shown or exported. A triage
computes those numbers from the facts with plain comparisons, reading every number from the same dated
``ParameterView`` as the formula it mirrors (never a copied constant), and prices the shortfalls with the
engine's own shortfall functions and arithmetic (``gaps.add_shares``), in the engine's check order — so the totals
are the same Decimals. It answers for every category:

* **eligible** (三值: the same three-valued logic as the formula) → holder or candidate, with the score;
* **undetermined** → holder or candidate when only what the registry never holds is open (declarations,
  self-development, expert-judged items), else 待定 with the number of registry facts the checks miss (and, for
  高企, figures the engine refuses as inconsistent → 待定 with one missing, as the screener does);
* **failed** → at risk (a holder), reserve or other, with the exact total shortfall. For a non-holder it stops as
  soon as "other" is certain: a failed condition no figure can fix (行业、注册时间、领域、声明: no shortfall), or a
  running sum already above the reserve threshold (the shares are never negative and Decimal addition rounds
  monotonically, so the full sum is never smaller).

It answers ``None`` — "assess this one in full" — only for facts holding expert picks (高企), which the registry
never holds. A triage is bound to one formula function: a new dated formula has none until one is written and
proven, and the screener then assesses every enterprise in full. ``tests/test_triage.py`` proves each triage
equal to the full engine on generated facts around every band edge.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from operator import add, eq, gt, sub
from typing import Any

from kechuang.eligibility.engine.build import as_points, ratio
from kechuang.eligibility.engine.facts import COUNT, Facts
from kechuang.eligibility.engine.params import ParameterView, Points
from kechuang.eligibility.engine.programme import Programme
from kechuang.eligibility.engine.result import Shortfall, all_of, any_of, increased, numerator_needed
from kechuang.eligibility.gaps import GAP_PLACES, add_shares
from kechuang.eligibility.models import ScreeningCategory as Category
from kechuang.eligibility.registry_facts import REGISTRY_FACTS
from kechuang.eligibility.rules import hnte as hnte_rules
from kechuang.eligibility.rules import tech_sme as tech_sme_rules
from kechuang.enterprises.industry import section_of

CANDIDATE, RESERVE, AT_RISK, HOLDER, UNDETERMINED, OTHER = (
    Category.CANDIDATE.value, Category.RESERVE.value, Category.AT_RISK.value, Category.HOLDER.value,
    Category.UNDETERMINED.value, Category.OTHER.value)
_REGISTRY = frozenset(REGISTRY_FACTS)
_ZERO = Decimal(0)


class Verdict:
    """What a triage decided: every number a screening outcome holds (``screening.Outcome`` without the facts)."""

    __slots__ = ("category", "eligible", "score", "failed_count", "gap", "missing_count")

    def __init__(self, category: str, eligible: bool | None, score: Points | None = None, failed_count: int = 0,
                 gap: Decimal | None = None, missing_count: int = 0) -> None:
        self.category = category
        self.eligible = eligible
        self.score = score
        self.failed_count = failed_count
        self.gap = gap
        self.missing_count = missing_count


_OTHER = Verdict(OTHER, False)  # shared: an "other" outcome is only counted
Triage = Callable[[Mapping[str, Any], bool], Verdict | None]


def triage_for(programme: Programme, as_of: datetime.date, reserve_max_gap: Decimal) -> Triage | None:
    """Return the triage of the formula in force on ``as_of``, or None when that formula has none."""
    _start, formula = programme.formula_at(as_of)
    build = _TRIAGES.get(formula)
    return None if build is None else build(programme.params.at(as_of), as_of, reserve_max_gap)


def _over(total: Decimal, reserve_max_gap: Decimal) -> bool:
    """Whether a (partial) normalised shortfall already puts the enterprise beyond the reserve."""
    return total.quantize(GAP_PLACES) > reserve_max_gap


def _failed(holds: bool, score: Points | None, failed_count: int, gap: Decimal | None,
            reserve_max_gap: Decimal) -> Verdict:
    """The verdict of a failed assessment — ``Screener.categorise`` for ``eligible is False``."""
    if gap is not None:
        gap = gap.quantize(GAP_PLACES)
    if holds:
        return Verdict(AT_RISK, False, score, failed_count, gap)
    category = RESERVE if gap is not None and gap <= reserve_max_gap else OTHER
    return Verdict(category, False, score, failed_count, gap)


def _share(old: Any, new: Any) -> Decimal:
    """|new − old| ÷ max(|old|, |new|) for two figures — ``gaps.relative_change`` for the scalar case."""
    base = max(abs(old), abs(new))
    return Decimal(abs(new - old)) / base if base else _ZERO


def _series_share(old: tuple[Decimal, ...], new: tuple[Decimal, ...]) -> Decimal:
    """``gaps.relative_change`` for two series of the same length."""
    if len(new) != len(old):
        raise ValueError("series of different lengths")  # as ``zip(strict=True)`` in ``gaps.relative_change``
    moved = sum(map(abs, map(sub, new, old)), _ZERO)  # the same additions, in the same order, as the genexprs
    base = max(sum(map(abs, old), _ZERO), sum(map(abs, new), _ZERO))
    return moved / base if base else _ZERO


# --- 科技型中小企业评价 (rules/tech_sme.py, formula of 2017-05-03) -----------------------------------------------


class TechSmeTriage:
    """Mirror of ``tech_sme_2017``: basic conditions (第六条), the 100-point table (第七条), direct routes (第八条)."""

    def __init__(self, p: ParameterView, as_of: datetime.date, reserve_max_gap: Decimal) -> None:
        self.limits = (("employees", p.max_employees), ("sales_revenue", p.max_sales_revenue),
                       ("total_assets", p.max_total_assets))
        self.excluded = frozenset(p.excluded_industries)
        self.declared = tuple(p.declared_conditions)
        self.direct = tuple(p.direct_routes)
        self.staff_points, self.rd_sales_points, self.rd_cost_points = (
            p.staff_points, p.rd_sales_points, p.rd_cost_points)
        self.class1_points, self.class2_points = p.class1_ip_points, p.class2_ip_points
        self.pass_score = p.pass_score
        self.p = p
        self.reserve_max_gap = reserve_max_gap

    def __call__(self, facts: Mapping[str, Any], holds: bool) -> Verdict | None:
        size = [self.size_passed(facts, name, bound) for name, bound in self.limits]
        industry = self.industry_passed(facts.get("industry"))
        declarations = [facts.get(name) for name in self.declared]  # 第六条（一）（三）（四）: as declared
        if not holds and (industry is False or False in declarations or (
                False in size and _over(self.size_gap(facts, size), self.reserve_max_gap))):
            return _OTHER  # failed, beyond the reserve whatever the score: counted only, nothing more to know
        direct = any_of(*(bool(facts.get(name)) for name in self.direct))  # 第八条: True or False
        total, staff = self.score(facts)
        score_ok = None if total is None else total.low >= self.pass_score  # 第六条（五）≥ 60 分
        staff_ok = None if staff is None else staff > 0  # …且科技人员指标不为 0 分
        eligible = all_of(*size, industry, *declarations, any_of(all_of(score_ok, staff_ok), direct))
        if eligible is True:
            return Verdict(HOLDER if holds else CANDIDATE, True, total)
        if eligible is None:
            missing = self.registry_missing(facts, total)
            if missing:
                return Verdict(UNDETERMINED, None, total, missing_count=missing)
            return Verdict(HOLDER if holds else CANDIDATE, None, total)  # only declarations wait: as declared
        # With a direct route taken the score checks are routes (第八条): neither counted nor priced.
        scored = () if direct else (score_ok, staff_ok)
        failed = [*size, industry, *declarations, *scored].count(False)
        if industry is False or False in declarations:
            return _failed(holds, total, failed, None, self.reserve_max_gap)  # no figure can fix these: no shortfall
        partial = self.size_gap(facts, size)
        gap = self.score_gap(facts, partial, total, score_ok, staff_ok) if scored else partial
        return _failed(holds, total, failed, gap, self.reserve_max_gap)

    def registry_missing(self, facts: Mapping[str, Any], total: Points | None) -> int:
        """How many registry facts the checks name as missing (``Assessment.missing`` ∩ the registry)."""
        names = {name for name, _bound in self.limits if facts.get(name) is None}
        if self.excluded and facts.get("industry") is None:
            names.add("industry")
        names.update(name for name in ("employees", "tech_staff", "class1_ip", "class2_ip") if facts.get(name) is None)
        if self.rd(facts) is None:
            names.update(name for name in ("rd_expense", "sales_revenue", "total_cost") if facts.get(name) is None)
        return len(names & _REGISTRY)

    def score_gap(self, facts: Mapping[str, Any], partial: Decimal, total: Points | None, score_ok: bool | None,
                  staff_ok: bool | None) -> Decimal | None:
        """Add the shortfalls of the failed score checks — the engine's own ``_score_shortfall`` and
        ``_staff_shortfall``, on the same facts — to the size checks' running sum."""
        shortfalls = []
        wrapped = Facts.trusted(facts)  # type: ignore[arg-type]
        if score_ok is False:
            shortfalls.append(tech_sme_rules._score_shortfall(wrapped, self.p, total))
        if staff_ok is False:
            shortfalls.append(tech_sme_rules._staff_shortfall(wrapped, self.p))
        return add_shares(partial, facts, shortfalls)

    @staticmethod
    def size_passed(facts: Mapping[str, Any], name: str, bound: Decimal) -> bool | None:
        actual = facts.get(name)
        return None if actual is None else actual <= bound  # 第六条（二）不超过

    def industry_passed(self, code: str | None) -> bool | None:
        if not self.excluded:
            return True
        if code is None:
            return None
        section = section_of(code)
        return not (code[:2] in self.excluded or (section is not None and section in self.excluded))

    def score(self, facts: Mapping[str, Any]) -> tuple[Points | None, Decimal | None]:
        """Return (total points or None, the 科技人员 points or None) of the 100-point table (第七条)."""
        staff = self.staff(facts)
        rd = self.rd(facts)
        class1, class2 = facts.get("class1_ip"), facts.get("class2_ip")
        ip = None if class1 is None or class2 is None else max(self.class1_points.lookup(class1),
                                                               self.class2_points.lookup(class2))
        if staff is None or rd is None or ip is None:
            return None, staff
        total = _ZERO + staff + rd + ip
        return Points(total, total), staff

    def staff(self, facts: Mapping[str, Any]) -> Decimal | None:
        employees, tech_staff = facts.get("employees"), facts.get("tech_staff")
        if employees is None or tech_staff is None:
            return None
        return as_points(self.staff_points.lookup(ratio(tech_staff, employees) or _ZERO)).low

    def rd(self, facts: Mapping[str, Any]) -> Decimal | None:
        """研发投入: the better of the two ratios (第七条（二）)."""
        rd, sales, cost = facts.get("rd_expense"), facts.get("sales_revenue"), facts.get("total_cost")
        by_sales, by_cost = ratio(rd, sales), ratio(rd, cost)
        known = [self.rd_sales_points.lookup(by_sales)] if by_sales is not None else []
        if by_cost is not None:
            known.append(self.rd_cost_points.lookup(by_cost))
        if rd is not None and not known and (sales == 0 or cost == 0):
            return _ZERO
        return max(known) if known else None

    def size_gap(self, facts: Mapping[str, Any], size: list[bool | None]) -> Decimal:
        """The engine's running shortfall sum over the failed size checks (the first checks it adds)."""
        total = _ZERO
        for (name, bound), passed in zip(self.limits, size, strict=True):
            if passed is False:
                actual = facts[name]
                total += _share(actual, increased(actual, -(actual - bound)))  # down to the limit
        return total


# --- 高新技术企业认定 (rules/hnte.py, formula of 2016-01-01) --------------------------------------------------------


class HnteTriage:
    """Mirror of ``hnte_2016``: conditions (一)–(八) of 国科发火〔2016〕32号 第十一条 and the score range of (七)."""

    EXPERT = frozenset(item.fact for item in hnte_rules.ITEMS)

    def __init__(self, p: ParameterView, as_of: datetime.date, reserve_max_gap: Decimal) -> None:
        self.p = p
        self.as_of = as_of
        self.min_days = p.min_registered_days
        self.declared = tuple(p.declared_conditions)
        self.fields = p.hightech_fields
        self.judged = [Points(_ZERO, getattr(p, item.maximum)) for item in hnte_rules.ITEMS if item.judged]
        # A score shortfall (``hnte._score_shortfall``) sets every item still open to the top of its grade, and an
        # expert pick the registry never holds counts as a figure coming into being: a share of 1 each. The
        # items only experts judge stay open whatever the data, so they bound the score's share from below.
        self.shortfalls: dict[tuple[Any, ...], Shortfall | None] = {}  # see ``score_shortfall``
        self.score_share_floor = Decimal(sum(1 for points in self.judged if not points.exact))
        self.reserve_max_gap = reserve_max_gap

    def __call__(self, facts: Mapping[str, Any], holds: bool) -> Verdict | None:
        if not self.EXPERT.isdisjoint(facts) and any(facts.get(name) is not None for name in self.EXPERT):
            return None  # expert picks (never in the registry): the engine checks them against their grades
        if not self.consistent(facts):
            return Verdict(UNDETERMINED, None, missing_count=1)  # the engine refuses these facts (FactError)
        registered = facts.get("registered_on")
        registered_ok = None if registered is None else Decimal((self.as_of - registered).days) >= self.min_days
        declarations = [facts.get(name) for name in self.declared]  # 第十一条（二）（八）: as declared
        code = facts.get("hightech_field")
        field_ok = None if code is None else code in self.fields  # （三）
        unfixable = registered_ok is False or False in declarations or field_ok is False  # no shortfall
        if unfixable and not holds:
            return _OTHER  # never in the reserve: counted only
        figures = staff_ok, rd_ok, domestic_ok, income_ok = (
            self.staff(facts), self.rd_ratio(facts), self.rd_domestic(facts), self.hightech_income(facts))
        partial = self.gap(facts, *figures, stop_over=not holds) if False in figures else _ZERO
        if not holds and _over(partial, self.reserve_max_gap):
            return _OTHER  # the score's shortfall could only add to the total
        total, grades_missing = self.score(facts)
        score_ok = None if total is None else hnte_rules._range_passes(total, self.p.pass_score)  # （七）> 70
        if not holds and score_ok is False and _over(partial + self.score_share_floor, self.reserve_max_gap):
            return _OTHER  # the score's shortfall, if any, is at least its floor: beyond the reserve
        eligible = all_of(registered_ok, *declarations, field_ok, *figures, score_ok)
        if eligible is True:
            return Verdict(HOLDER if holds else CANDIDATE, True, total)
        if eligible is None:
            return self.undetermined(facts, holds, total, grades_missing, figures)
        failed = [registered_ok, *declarations, field_ok, *figures, score_ok].count(False)
        if unfixable:
            return _failed(holds, total, failed, None, self.reserve_max_gap)  # an at-risk holder: no total
        gap: Decimal | None = partial
        if score_ok is False:
            gap = add_shares(partial, facts, [self.score_shortfall(facts, total)])  # type: ignore[arg-type]
        return _failed(holds, total, failed, gap, self.reserve_max_gap)

    def score_shortfall(self, facts: Mapping[str, Any], total: Points) -> Shortfall | None:
        """The engine's own ``hnte._score_shortfall``, remembered by what it reads: the facts its candidate changes
        move (IP, standards, conversions) and the grades of the items they leave alone (the two growth rates).
        With no expert pick, the score range and every option's gain follow from those alone."""
        key = (*(facts.get(name) for name in _SCORE_INPUTS),
               *(self.growth(facts, name, []) for name in ("net_assets_3y", "sales_revenue_3y")))
        found = self.shortfalls.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = hnte_rules._score_shortfall(Facts.trusted(facts), self.p, total)  # type: ignore[arg-type]
            if len(self.shortfalls) < _MEMO_SIZE:
                self.shortfalls[key] = found
        return found  # type: ignore[return-value]

    def consistent(self, facts: Mapping[str, Any]) -> bool:
        """Whether ``hnte_rules._validate`` accepts the facts (given no expert pick)."""
        get = facts.get
        if len({len(series) for series in map(get, hnte_rules.SERIES_3Y) if series is not None}) > 1:
            return False
        if _above(facts, "tech_staff", "employees") or _above(facts, "hightech_income", "total_income"):
            return False
        total, domestic, overseas = (facts.get(n) for n in ("rd_expense_3y", "rd_domestic_3y", "rd_overseas_3y"))
        if total is None:
            return True
        # The series have the same length (checked above): ``map`` pairs them as ``zip(strict=True)`` would.
        for part in (domestic, overseas):
            if part is not None and any(map(gt, part, total)):
                return False
        return domestic is None or overseas is None or all(map(eq, map(add, domestic, overseas), total))

    def undetermined(self, facts: Mapping[str, Any], holds: bool, total: Points | None,
                     grades_missing: tuple[str, ...], figures: tuple[bool | None, ...]) -> Verdict:
        """``Screener.categorise`` for ``eligible is None``: waiting only on what the registry never holds
        (declarations, self-development, expert items) counts as meeting the conditions; else 待定."""
        missing = self.registry_missing(facts, grades_missing)
        if missing or None in figures:  # a registry figure missing, or a ratio over a zero total
            return Verdict(UNDETERMINED, None, total, missing_count=missing)
        return Verdict(HOLDER if holds else CANDIDATE, None, total)

    @staticmethod
    def registry_missing(facts: Mapping[str, Any], grades_missing: tuple[str, ...]) -> int:
        """How many registry facts the checks name as missing (``Assessment.missing`` ∩ the registry)."""
        names = {name for name in _NAMED_MISSING if facts.get(name) is None}
        if hnte_rules._domestic_series(facts) is None:  # type: ignore[arg-type]
            names.add("rd_domestic_3y")
        names.update(grades_missing)
        return len(names & _REGISTRY)

    # --- （四）（五）（六）: ratios, each with a shortfall when failed ---------------------------------------------

    def staff(self, facts: Mapping[str, Any]) -> bool | None:
        employees, tech_staff = facts.get("employees"), facts.get("tech_staff")
        share = None if employees is None or tech_staff is None else ratio(tech_staff, employees)
        return None if share is None else share >= self.p.min_tech_staff_ratio

    def rd_ratio(self, facts: Mapping[str, Any]) -> bool | None:
        sales, rd = facts.get("sales_revenue_3y"), facts.get("rd_expense_3y")
        if sales is None or rd is None or sum(sales) == 0:
            return None
        return sum(rd) / sum(sales) >= self.p.rd_ratio_bands.lookup(sales[-1])

    def rd_domestic(self, facts: Mapping[str, Any]) -> bool | None:
        domestic = hnte_rules._domestic_series(facts)  # type: ignore[arg-type]
        if facts.get("rd_expense_3y") is None or domestic is None:
            return None
        total = sum(facts["rd_expense_3y"])
        return None if total == 0 else sum(domestic) / total >= self.p.min_domestic_rd_share

    def hightech_income(self, facts: Mapping[str, Any]) -> bool | None:
        income, total = facts.get("hightech_income"), facts.get("total_income")
        if income is None or total is None or total == 0:
            return None
        return income / total >= self.p.min_hightech_income_share

    def gap(self, facts: Mapping[str, Any], staff_ok: bool | None, rd_ok: bool | None, domestic_ok: bool | None,
            income_ok: bool | None, *, stop_over: bool = False) -> Decimal:
        """The engine's running shortfall sum over failed (四)–(六), in its check order (the score comes last).

        ``stop_over``: return as soon as the sum is beyond the reserve (the shares are never negative, so the rest
        could only add to it)."""
        p, total = self.p, _ZERO
        if staff_ok is False:
            tech_staff = facts["tech_staff"]
            more = numerator_needed(tech_staff, facts["employees"], "ge", p.min_tech_staff_ratio, COUNT)
            total += _share(tech_staff, increased(tech_staff, more))
        if stop_over and _over(total, self.reserve_max_gap):
            return total
        if rd_ok is False:
            rd, sales = sum(facts["rd_expense_3y"]), sum(facts["sales_revenue_3y"])
            more = numerator_needed(rd, sales, "ge", p.rd_ratio_bands.lookup(facts["sales_revenue_3y"][-1]))
            for name in ("rd_expense_3y", "rd_domestic_3y"):
                if facts.get(name) is not None:
                    total += _series_share(facts[name], increased(facts[name], more))
        if stop_over and _over(total, self.reserve_max_gap):
            return total
        if domestic_ok is False:
            total = self.domestic_gap(facts, total)
        if income_ok is False:
            income, whole = facts["hightech_income"], facts["total_income"]
            more = min(numerator_needed(income, whole, "ge", p.min_hightech_income_share), whole - income)
            total += _share(income, income + more)
        return total

    def domestic_gap(self, facts: Mapping[str, Any], total: Decimal) -> Decimal:
        """Add to ``total`` the shares of the engine's own move of R&D from abroad to China (``_domestic_shortfall``)."""
        domestic = hnte_rules._domestic_series(facts)  # type: ignore[arg-type]
        assert domestic is not None
        whole, inside = sum(facts["rd_expense_3y"]), sum(domestic)
        shortfall = hnte_rules._domestic_shortfall(Facts.trusted(dict(facts)), domestic, whole, inside,
                                                   self.p.min_domestic_rd_share)
        for name, new in shortfall.changes.items():
            total += _series_share(facts[name], new)
        return total

    # --- （七）企业创新能力评价: the reachable range, before any expert pick ------------------------------------

    def score(self, facts: Mapping[str, Any]) -> tuple[Points | None, tuple[str, ...]]:
        """Return (the score range or None, the facts its grades miss) — ``item_grades`` and ``_total``."""
        p = self.p
        class1, class2 = facts.get("class1_ip"), facts.get("class2_ip")
        missing: list[str] = []
        if class1 is None or class2 is None:
            missing += [name for name, value in (("class1_ip", class1), ("class2_ip", class2)) if value is None]
            quantity = acquisition = None
        else:
            quantity = max(as_points(p.ip_quantity_class1_points.lookup(class1)),
                           as_points(p.ip_quantity_class2_points.lookup(class2)), key=lambda x: x.high)
            acquisition = self.acquisition(facts, class1 + class2, missing)
        standards = self.graded(facts, "standards_led", p.standards_points, missing)
        conversion = self.conversion(facts, missing)
        growth = [self.growth(facts, name, missing) for name in ("net_assets_3y", "sales_revenue_3y")]
        ip = [*self.judged[:2], quantity, acquisition, standards]
        rest = [conversion, self.judged[2], *growth]
        if missing or None in ip or None in rest:
            return None, tuple(sorted(set(missing)))
        cap = p.ip_points_cap
        return Points(min(sum(x.low for x in ip), cap) + sum(x.low for x in rest),  # type: ignore[union-attr]
                      min(sum(x.high for x in ip), cap) + sum(x.high for x in rest)), ()  # type: ignore[union-attr]

    def acquisition(self, facts: Mapping[str, Any], count: Decimal, missing: list[str]) -> Points | None:
        if count == 0:
            return Points(_ZERO, _ZERO)
        own = facts.get("ip_self_developed")
        if own is None:
            missing.append("ip_self_developed")
            return None
        return self.p.ip_acquisition_self_developed if own else self.p.ip_acquisition_acquired_only

    @staticmethod
    def graded(facts: Mapping[str, Any], name: str, scale: Any, missing: list[str]) -> Points | None:
        value = facts.get(name)
        if value is None:
            missing.append(name)
            return None
        return as_points(scale.lookup(value))

    def conversion(self, facts: Mapping[str, Any], missing: list[str]) -> Points | None:
        conversions = facts.get("conversions_3y")
        if conversions is None:
            missing.append("conversions_3y")
            return None
        return as_points(self.p.conversion_points.lookup(Decimal(sum(conversions)) / len(conversions)))

    def growth(self, facts: Mapping[str, Any], name: str, missing: list[str]) -> Points | None:
        series = facts.get(name)
        if series is None:
            missing.append(name)
            return None
        rate, _how = hnte_rules.growth_rate(series)
        scale = self.p.growth_points
        return as_points(scale.bands[-1].value if rate is None else scale.lookup(rate))


# The facts ``hnte._score_shortfall`` reads besides the growth series (whose grades it only sums).
_SCORE_INPUTS = ("class1_ip", "class2_ip", "ip_self_developed", "standards_led", "conversions_3y")
_MEMO_SIZE = 50_000  # remembered score shortfalls per triage (a province has a few thousand distinct ones)
_UNKNOWN = object()

# The facts the 高企 checks (一)–(六) name when missing (the score's grades name their own).
_NAMED_MISSING = ("registered_on", "hightech_field", "employees", "tech_staff", "sales_revenue_3y", "rd_expense_3y",
                  "hightech_income", "total_income")


def _above(facts: Mapping[str, Any], part: str, whole: str) -> bool:
    return facts.get(part) is not None and facts.get(whole) is not None and facts[part] > facts[whole]


_TRIAGES: dict[Any, Callable[[ParameterView, datetime.date, Decimal], Triage]] = {
    tech_sme_rules.tech_sme_2017: TechSmeTriage,
    hnte_rules.hnte_2016: HnteTriage,
}
