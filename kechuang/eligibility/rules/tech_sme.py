"""科技型中小企业评价 (tech-based SME evaluation): basic conditions, the 100-point table, direct qualification.

RULES.md §1. An enterprise qualifies when the basic conditions (1)–(4) of 国科发政〔2017〕115号 第六条 hold and
either its score is ≥ 60 with a non-zero 科技人员 sub-score (condition 5), or one of the four 第八条 direct
routes applies (valid 高企 certificate, national S&T award, provincial R&D institution, led a standard).
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal

from kechuang.eligibility.engine.build import (
    add_check,
    count_needed,
    fact_change,
    missing_of,
    ratio,
    scale_component,
    threshold_check,
    wan,
)
from kechuang.eligibility.engine.facts import BOOL, COUNT, MONEY, TEXT, Fact, Facts
from kechuang.eligibility.engine.params import ParameterView, Points, format_number
from kechuang.eligibility.engine.programme import Programme, register
from kechuang.eligibility.engine.result import (
    Assessment,
    Component,
    Hint,
    Shortfall,
    all_of,
    any_of,
    increased,
    numerator_needed,
    points_total,
)
from kechuang.enterprises.industry import section_of

FACTS = (
    Fact("employees", "职工总数", COUNT, help="上一年度全年季平均数"),
    Fact("tech_staff", "科技人员数", COUNT, help="上一年度全年季平均数"),
    Fact("sales_revenue", "销售收入", MONEY, help="上一年度"),
    Fact("total_assets", "资产总额", MONEY, help="上一年度末"),
    Fact("total_cost", "成本费用支出总额", MONEY, help="上一年度"),
    Fact("rd_expense", "研发费用总额", MONEY, help="上一年度，按财税〔2015〕119号口径"),
    Fact("class1_ip", "Ⅰ类知识产权数", COUNT, help="有效、与主要产品或服务相关"),
    Fact("class2_ip", "Ⅱ类知识产权数", COUNT, help="有效、与主要产品或服务相关"),
    Fact("industry", "行业代码", TEXT, help="GB/T 4754-2017 大类（2 位）或更细的代码"),
    Fact("resident_enterprise", "在中国境内（不含港澳台）注册的居民企业，会计核算健全、查账征收", BOOL, declaration=True),
    Fact("not_restricted_industry", "产品和服务不属于国家限制、淘汰类", BOOL, declaration=True),
    Fact("integrity_ok", "上一会计年度至今无重大安全、质量事故和严重环境违法、科研严重失信行为，未列入经营异常名录和严重违法失信名单",
         BOOL, declaration=True),
    Fact("holds_valid_hnte", "拥有有效期内高新技术企业资格证书", BOOL),
    Fact("national_award_5y", "近五年内获得国家级科技奖励且排名前三", BOOL),
    Fact("provincial_rd_institution", "拥有经认定的省部级以上研发机构", BOOL),
    Fact("led_standard_5y", "近五年内主导制定过国际标准、国家标准或行业标准", BOOL),
)

TECH_SME = register(Programme(
    "tech_sme", "科技型中小企业评价", FACTS, rung="tsme",
    description="国科发政〔2017〕115号：基本条件＋100分评价（≥60分且科技人员指标不为0分）或第八条直接确认。"))


@TECH_SME.formula("2017-05-03")
def tech_sme_2017(facts: Facts, p: ParameterView, result: Assessment) -> None:
    basic = all_of(*(check.passed for check in (
        *_size_checks(facts, p, result), _industry_check(facts, p, result), *_declarations(facts, p, result))))
    direct = _direct_routes(facts, p, result)
    # With a direct route taken, the score test is waived (第八条): its checks are then shown, not required.
    score_route = _score_route(facts, p, result, role="route" if direct else "condition")
    result.eligible = all_of(basic, any_of(score_route, direct))
    result.pass_mark = _texts(p)["pass_mark"]


@functools.lru_cache(maxsize=64)
def _texts(p: ParameterView) -> dict:
    """Texts and sets that depend only on the parameters in force (one view per date): built once per date,
    not once per enterprise — bulk screening assesses a province on one date."""
    excluded = frozenset(p.excluded_industries)
    return {
        "pass_mark": f"≥ {format_number(p.pass_score)} 分，且科技人员指标不为 0 分",
        "score_required": f"≥ {format_number(p.pass_score)} 分",
        "excluded": excluded, "excluded_required": "不属于：" + "、".join(sorted(excluded)),
        "declarations": [(name, f"basic.{name}", TECH_SME.fact_map[name].label) for name in p.declared_conditions],
        "direct": [(name, f"direct.{name}", f"直接确认：{TECH_SME.fact_map[name].label}") for name in p.direct_routes],
    }


def _size_checks(facts: Facts, p: ParameterView, result: Assessment) -> list:
    limits = (("size.employees", "职工总数", "employees", "max_employees", "人", COUNT),
              ("size.sales_revenue", "年销售收入", "sales_revenue", "max_sales_revenue", "万元", MONEY),
              ("size.total_assets", "资产总额", "total_assets", "max_total_assets", "万元", MONEY))
    checks = []
    for check_id, label, name, parameter, unit, kind in limits:
        actual, bound = facts.get(name), getattr(p, parameter)
        excess = None if actual is None else actual - bound
        shortfall = None
        if excess is not None and excess > 0:
            text = f"{excess} 人" if kind == COUNT else wan(excess)
            shortfall = fact_change(facts, check_id, name, -excess, f"{label}超出上限 {text}", unit)
        checks.append(threshold_check(result, p, check_id, f"{label}不超过上限", actual, "le", parameter,
                                      unit=unit, missing=missing_of(facts, name), shortfall=shortfall))
    return checks


def _industry_check(facts: Facts, p: ParameterView, result: Assessment):
    texts = _texts(p)
    excluded = texts["excluded"]
    code = facts.get("industry")
    if not excluded:
        return add_check(result, "industry", "不属于排除行业", True, actual=code, required="无行业排除",
                         source=p.source("excluded_industries"))
    if code is None:
        return add_check(result, "industry", "不属于排除行业", None, required=texts["excluded_required"],
                         source=p.source("excluded_industries"), missing=("industry",))
    section = section_of(code)
    hit = code[:2] in excluded or (section is not None and section in excluded)
    return add_check(result, "industry", "不属于排除行业", not hit, actual=f"{code}（门类 {section or '未知'}）",
                     required=texts["excluded_required"], source=p.source("excluded_industries"))


def _declarations(facts: Facts, p: ParameterView, result: Assessment) -> list:
    checks = []
    source = p.source("declared_conditions")
    for name, check_id, label in _texts(p)["declarations"]:
        value = facts.get(name)
        checks.append(add_check(result, check_id, label, value, actual=value, required="是", source=source,
                                missing=() if value is not None else (name,), note="企业声明事项，由评价机构核实"))
    return checks


# --- the 100-point table (第七条) --------------------------------------------------------------------------------


def _score_route(facts: Facts, p: ParameterView, result: Assessment, role: str) -> bool | None:
    staff = scale_component(result, p, "staff", "科技人员指标", "staff_points", _staff_ratio(facts), Decimal(20),
                            basis="科技人员数 ÷ 职工总数")
    rd = _rd_component(facts, p, result)
    ip = _ip_component(facts, p, result)
    total = points_total([staff, rd, ip])
    result.score = total
    missing = missing_of(facts, "employees", "tech_staff", "class1_ip", "class2_ip")
    if rd.points is None:
        missing += missing_of(facts, "rd_expense", "sales_revenue", "total_cost")
    score_ok = None if total is None else total.low >= p.pass_score
    score_check = add_check(
        result, "score", "综合评价得分", score_ok, actual=total, required=_texts(p)["score_required"],
        source=p.source("pass_score"), unit="分", missing=missing,
        shortfall=_score_shortfall(facts, p, total) if score_ok is False else None, role=role)
    staff_ok = None if staff.points is None else staff.points.low > 0
    staff_check = add_check(
        result, "staff_nonzero", "科技人员指标得分不为 0", staff_ok, actual=staff.points, required="> 0 分",
        source=p.source("pass_score"), unit="分", missing=missing_of(facts, "employees", "tech_staff"),
        shortfall=_staff_shortfall(facts, p) if staff_ok is False else None, role=role)
    if result.detail:
        result.hints.extend(_hints(facts, p))
    return all_of(score_check.passed, staff_check.passed)


def _staff_ratio(facts: Facts) -> Decimal | None:
    if facts.get("employees") is None or facts.get("tech_staff") is None:
        return None
    return ratio(facts["tech_staff"], facts["employees"]) or Decimal(0)


def _rd_ratios(facts: Facts) -> tuple[Decimal | None, Decimal | None]:
    rd = facts.get("rd_expense")
    return ratio(rd, facts.get("sales_revenue")), ratio(rd, facts.get("total_cost"))


def _rd_component(facts: Facts, p: ParameterView, result: Assessment):
    """研发投入: both ratios are computed and the better one scores (the enterprise may choose either)."""
    by_sales, by_cost = _rd_ratios(facts)
    points = [p.rd_sales_points.lookup(by_sales) if by_sales is not None else None,
              p.rd_cost_points.lookup(by_cost) if by_cost is not None else None]
    known = [x for x in points if x is not None]
    if facts.get("rd_expense") is not None and not known and (facts.get("sales_revenue") == 0
                                                               or facts.get("total_cost") == 0):
        known = [Decimal(0)]  # both denominators are zero or missing with one zero: nothing to score
    basis = (f"研发费用 ÷ 销售收入 = {format_number(by_sales, 'ratio')}；"
             f"研发费用 ÷ 成本费用 = {format_number(by_cost, 'ratio')}；取较高者")
    best = Points(max(known), max(known)) if known else None
    component = Component("rd", "研发投入指标", best, Decimal(50), basis)
    result.components.append(component)
    return component


def _ip_points(class1: Decimal, class2: Decimal, p: ParameterView) -> Decimal:
    return max(p.class1_ip_points.lookup(class1), p.class2_ip_points.lookup(class2))


def _ip_component(facts: Facts, p: ParameterView, result: Assessment):
    class1, class2 = facts.get("class1_ip"), facts.get("class2_ip")
    points = None if class1 is None or class2 is None else _ip_points(class1, class2, p)
    component = Component("ip", "科技成果指标", None if points is None else Points(points, points), Decimal(30),
                          f"Ⅰ类 {format_number(class1)} 项，Ⅱ类 {format_number(class2)} 项")
    result.components.append(component)
    return component


# --- what would close the gap ------------------------------------------------------------------------------------


def _options(facts: Facts, p: ParameterView) -> list[tuple[Decimal, dict, Callable[[], str]]]:
    """Return single changes that raise the score: (points gained, new facts, its Chinese description).

    The description is a function, called only for the option a shortfall or hint chooses (bulk screening
    weighs every option of half a million enterprises and words one of them)."""
    options = []
    options += _staff_options(facts, p)
    options += _rd_options(facts, p)
    options += _ip_options(facts, p)
    return options


def _staff_options(facts: Facts, p: ParameterView) -> list[tuple[Decimal, dict, Callable[[], str]]]:
    ratio_now = _staff_ratio(facts)
    if ratio_now is None or not facts["employees"]:
        return []
    current = p.staff_points.lookup(ratio_now)
    options = []
    for band in p.staff_points.better_bands(ratio_now):
        more = numerator_needed(facts["tech_staff"], facts["employees"], band.operator, band.bound, COUNT)
        if facts["tech_staff"] + more <= facts["employees"]:
            options.append((band.value - current, {"tech_staff": facts["tech_staff"] + more},
                            lambda more=more, band=band: f"科技人员再增加 {more} 人（占比达到 {band.describe('ratio')}）"))
    return options


def _rd_options(facts: Facts, p: ParameterView) -> list[tuple[Decimal, dict, Callable[[], str]]]:
    rd = facts.get("rd_expense")
    if rd is None:
        return []
    by_sales, by_cost = _rd_ratios(facts)
    current = max([p.rd_sales_points.lookup(x) for x in [by_sales] if x is not None]
                  + [p.rd_cost_points.lookup(x) for x in [by_cost] if x is not None] + [Decimal(0)])
    best: dict[Decimal, Decimal] = {}  # points → smallest increase of R&D that reaches them
    for scale, denominator in ((p.rd_sales_points, facts.get("sales_revenue")),
                               (p.rd_cost_points, facts.get("total_cost"))):
        if not denominator:
            continue
        for band in scale.better_bands(rd / denominator):
            if band.value <= current:
                continue
            more = numerator_needed(rd, denominator, band.operator, band.bound)
            best[band.value] = min(more, best.get(band.value, more))
    return [(points - current, {"rd_expense": increased(rd, more)}, lambda more=more: f"研发费用再增加 {wan(more)}")
            for points, more in sorted(best.items())]


def _ip_options(facts: Facts, p: ParameterView) -> list[tuple[Decimal, dict, Callable[[], str]]]:
    class1, class2 = facts.get("class1_ip"), facts.get("class2_ip")
    if class1 is None or class2 is None:
        return []
    current = _ip_points(class1, class2, p)
    options = []
    if class1 < 1:
        options.append((p.class1_ip_points.lookup(Decimal(1)) - current, {"class1_ip": Decimal(1)},
                        lambda: "再获得 1 项Ⅰ类知识产权"))
    for band in p.class2_ip_points.better_bands(class2):
        more = count_needed(class2, band.bound)
        gain = _ip_points(class1, class2 + more, p) - current
        if gain > 0:
            options.append((gain, {"class2_ip": class2 + more}, lambda more=more: f"再获得 {more} 项Ⅱ类知识产权"))
    return options


def _score_shortfall(facts: Facts, p: ParameterView, total: Points) -> Shortfall | None:
    """The smallest single change that lifts the score to the pass mark, else the best change of each kind.

    The options of ``_options`` (科技人员, 研发投入, 科技成果 — in that order, each kind by rising gain), chosen
    by gain alone: the smallest gain that reaches the gap (the first of equal ones), else the largest gain of
    each kind in turn until the gap is closed. A gain needs no arithmetic on the figures, so only the options
    that may be chosen are priced (``_Choices``): bulk screening asks this of every enterprise short of the pass
    mark. ``tests/test_shortfalls.py`` checks it against the choice over every option of ``_options``."""
    gap = p.pass_score - total.low
    kinds = (_StaffChoices(facts, p), _RdChoices(facts, p), _IpChoices(facts, p))
    best = None
    for kind in kinds:
        option = kind.smallest_reaching(gap)
        if option is not None and (best is None or option[0] < best[0]):
            best = option
    if best is not None:
        gain, changes, text = best
        return Shortfall("score", f"综合得分还差 {format_number(gap)} 分：{text()}可增加 {format_number(gain)} 分",
                         changes, gap, "分")
    chosen: dict = {}
    texts, gained = [], Decimal(0)
    for kind in kinds:
        if gained < gap:
            option = kind.largest()
            if option is not None:
                gain, changes, text = option
                chosen.update(changes)
                texts.append(text())
                gained += gain
    if gained < gap:
        return None  # even the best of every component cannot reach the pass mark
    return Shortfall("score", f"综合得分还差 {format_number(gap)} 分：{'，且'.join(texts)}", chosen, gap, "分")


Option = tuple[Decimal, dict, Callable[[], str]]


class _Choices(abc.ABC):
    """One kind's options of ``_options``, in its order, each priced only when it may be chosen."""

    gains: list[Decimal]  # the gain of each candidate, in order

    @abc.abstractmethod
    def option(self, i: int) -> Option | None:
        """The i-th candidate as ``_options`` lists it, or None when it is not an option (not feasible)."""

    def smallest_reaching(self, gap: Decimal) -> Option | None:
        """The option with the smallest gain that reaches ``gap`` (the first of equal ones), or None."""
        reaching = sorted((gain, i) for i, gain in enumerate(self.gains) if gain >= gap)
        return self.first_feasible(i for _gain, i in reaching)

    def largest(self) -> Option | None:
        """The option with the largest gain (the first of equal ones), or None."""
        return self.first_feasible(sorted(range(len(self.gains)), key=lambda i: (-self.gains[i], i)))

    def first_feasible(self, order: Iterable[int]) -> Option | None:
        for i in order:
            option = self.option(i)
            if option is not None:
                return option
        return None


class _StaffChoices(_Choices):
    """``_staff_options``: one option per better band the science staff can still reach (≤ 职工总数)."""

    def __init__(self, facts: Facts, p: ParameterView) -> None:
        ratio_now = _staff_ratio(facts)
        self.bands = [] if ratio_now is None or not facts["employees"] else p.staff_points.better_bands(ratio_now)
        current = p.staff_points.lookup(ratio_now) if self.bands else Decimal(0)
        self.gains = [band.value - current for band in self.bands]
        self.facts = facts

    def option(self, i: int) -> Option | None:
        band, tech_staff, employees = self.bands[i], self.facts["tech_staff"], self.facts["employees"]
        more = numerator_needed(tech_staff, employees, band.operator, band.bound, COUNT)
        if tech_staff + more > employees:
            return None
        return (self.gains[i], {"tech_staff": tech_staff + more},
                lambda: f"科技人员再增加 {more} 人（占比达到 {band.describe('ratio')}）")


class _RdChoices(_Choices):
    """``_rd_options``: one option per better points value of either ratio, the smaller increase of the two."""

    def __init__(self, facts: Facts, p: ParameterView) -> None:
        self.rd = rd = facts.get("rd_expense")
        self.reaching: dict[Decimal, list] = {}  # points → [(denominator, band)], in ``_rd_options``' order
        self.points: list[Decimal] = []
        self.gains = []
        if rd is None:
            return
        by_sales, by_cost = _rd_ratios(facts)
        current = max([p.rd_sales_points.lookup(x) for x in [by_sales] if x is not None]
                      + [p.rd_cost_points.lookup(x) for x in [by_cost] if x is not None] + [Decimal(0)])
        for scale, denominator in ((p.rd_sales_points, facts.get("sales_revenue")),
                                   (p.rd_cost_points, facts.get("total_cost"))):
            if not denominator:
                continue
            for band in scale.better_bands(rd / denominator):
                if band.value > current:
                    self.reaching.setdefault(band.value, []).append((denominator, band))
        self.points = sorted(self.reaching)
        self.gains = [points - current for points in self.points]

    def option(self, i: int) -> Option | None:
        rd, more = self.rd, None
        for denominator, band in self.reaching[self.points[i]]:  # the smaller increase, the later of equal ones
            needed = numerator_needed(rd, denominator, band.operator, band.bound)
            more = needed if more is None else min(needed, more)
        return self.gains[i], {"rd_expense": increased(rd, more)}, lambda: f"研发费用再增加 {wan(more)}"


class _IpChoices(_Choices):
    """``_ip_options``: a first Ⅰ类 item, then each better Ⅱ类 band that raises the points (cheap: all priced)."""

    def __init__(self, facts: Facts, p: ParameterView) -> None:
        self.options = _ip_options(facts, p)
        self.gains = [option[0] for option in self.options]

    def option(self, i: int) -> Option | None:
        return self.options[i]


def _staff_shortfall(facts: Facts, p: ParameterView) -> Shortfall | None:
    lowest = [b for b in p.staff_points.better_bands(_staff_ratio(facts) or Decimal(0))][:1]
    if not lowest or not facts.get("employees"):
        return None
    band = lowest[0]
    more = numerator_needed(facts["tech_staff"], facts["employees"], band.operator, band.bound, COUNT)
    return Shortfall("staff_nonzero", f"科技人员还差 {more} 人（占职工总数 {band.describe('ratio')} 才能得分）",
                     {"tech_staff": facts["tech_staff"] + more}, more, "人")


def _hints(facts: Facts, p: ParameterView) -> list[Hint]:
    """The cheapest step of each kind, phrased as "…科技成果得分可增加 6 分"."""
    hints = []
    labels = {"tech_staff": "科技人员", "rd_expense": "研发投入", "class1_ip": "科技成果", "class2_ip": "科技成果"}
    options = _options(facts, p)
    for gain, changes, text in options:
        name = next(iter(changes))
        smaller = [o for o in options if next(iter(o[1])) == name and o[0] < gain]
        if not smaller:
            hints.append(Hint(f"{text()}，{labels[name]}得分可增加 {format_number(gain)} 分", gain, changes))
    return hints


def _direct_routes(facts: Facts, p: ParameterView, result: Assessment) -> bool | None:
    """第八条: any one route confirms without the score test. A route with no evidence given is not taken —
    it is an alternative the enterprise claims, so absence means "not claimed", not "unknown"."""
    passed = []
    source = p.source("direct_routes")
    for name, check_id, label in _texts(p)["direct"]:
        value = facts.get(name)
        passed.append(add_check(result, check_id, label, bool(value), actual=value,
                                required="是（任一项即可，免于评分）", source=source,
                                note="" if value is not None else "未提供，按不适用处理", role="route").passed)
    return any_of(*passed)
