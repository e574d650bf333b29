"""高新技术企业认定 (high-tech enterprise recognition): the eight conditions and the innovation-ability score.

RULES.md §2. 国科发火〔2016〕32号 第十一条 requires all eight conditions; condition (七) is the 100-point
企业创新能力评价 of the 工作指引 (国科发火〔2016〕195号), passed only above 70 points. Grades computed from data
give point ranges (知识产权数量 A = 7–8); an expert may pick the exact points within a grade. The items only an
expert panel can judge (技术的先进程度, 核心支持作用, 研究开发组织管理水平) count as their full range [0, max]
while absent. The score is therefore a range [low, high]: the condition holds when low > 70, fails when
high ≤ 70, and is undetermined in between — ``result.expert_inputs`` then names what the panel must supply.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from kechuang.eligibility.engine.build import (
    add_check,
    as_points,
    count_needed,
    fact_change,
    missing_of,
    ratio,
    threshold_check,
    wan,
)
from kechuang.eligibility.engine.facts import BOOL, COUNT, DATE, MONEY, NUMBER, TEXT, Fact, FactError, Facts
from kechuang.eligibility.engine.params import ParameterView, Points, format_number
from kechuang.eligibility.engine.programme import Programme, register
from kechuang.eligibility.engine.result import (
    Assessment,
    Check,
    Component,
    Hint,
    Shortfall,
    all_of,
    compare,
    increased,
    numerator_needed,
)

FACTS = (
    Fact("registered_on", "注册成立日期", DATE),
    Fact("owns_core_ip", "通过自主研发、受让、受赠、并购等方式，获得对主要产品（服务）在技术上发挥核心支持作用的知识产权的所有权",
         BOOL, declaration=True),
    Fact("hightech_field", "核心技术所属的国家重点支持的高新技术领域", TEXT, help="一级领域代码 1–8"),
    Fact("employees", "职工总数", COUNT, minimum=Decimal(1), help="当年，全年月平均数"),
    Fact("tech_staff", "科技人员数", COUNT, help="当年，全年月平均数；累计实际工作 183 天以上"),
    Fact("sales_revenue_3y", "近三个会计年度销售收入", MONEY, length=3, min_length=1, help="实际经营期不满三年的按实际年数"),
    Fact("rd_expense_3y", "近三个会计年度研究开发费用总额", MONEY, length=3, min_length=1),
    Fact("rd_domestic_3y", "其中在中国境内发生的研究开发费用", MONEY, length=3, min_length=1,
         help="与 rd_overseas_3y 二选一即可"),
    Fact("rd_overseas_3y", "其中在境外发生的研究开发费用", MONEY, length=3, min_length=1),
    Fact("hightech_income", "近一年高新技术产品（服务）收入", MONEY),
    Fact("total_income", "近一年总收入", MONEY, help="收入总额减去不征税收入"),
    Fact("integrity_ok", "申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为", BOOL, declaration=True),
    Fact("class1_ip", "Ⅰ类知识产权数", COUNT, help="发明专利、植物新品种、集成电路布图设计专有权等"),
    Fact("class2_ip", "Ⅱ类知识产权数", COUNT, help="实用新型、外观设计、软件著作权等；每项只能用于一次认定"),
    Fact("ip_self_developed", "知识产权中有自主研发取得的（否：仅有受让、受赠、并购等）", BOOL),
    Fact("standards_led", "参与编制的国家标准、行业标准、检测方法、技术规范数", COUNT),
    Fact("conversions_3y", "近三年科技成果转化项数（逐年）", COUNT, length=3, min_length=1),
    Fact("net_assets_3y", "近三个会计年度末净资产", MONEY, length=3, min_length=1, signed=True),
    Fact("tech_advancement_points", "专家评分：技术的先进程度", NUMBER, expert=True),
    Fact("core_support_points", "专家评分：对主要产品（服务）在技术上发挥核心支持作用", NUMBER, expert=True),
    Fact("rd_management_points", "专家评分：研究开发组织管理水平", NUMBER, expert=True),
    Fact("ip_quantity_points", "专家评分：知识产权数量（所属档次内取值）", NUMBER, expert=True),
    Fact("ip_acquisition_points", "专家评分：知识产权获得方式（所属档次内取值）", NUMBER, expert=True),
    Fact("standards_points", "专家评分：参与编制标准加分（所属档次内取值）", NUMBER, expert=True),
    Fact("conversion_points", "专家评分：科技成果转化能力（所属档次内取值）", NUMBER, expert=True),
    Fact("net_asset_growth_points", "专家评分：净资产增长率（所属档次内取值）", NUMBER, expert=True),
    Fact("sales_growth_points", "专家评分：销售收入增长率（所属档次内取值）", NUMBER, expert=True),
)

HNTE = register(Programme(
    "hnte", "高新技术企业认定", FACTS, rung="hnte",
    description="国科发火〔2016〕32号第十一条八项条件，含企业创新能力评价（工作指引，须高于 70 分）。"))

SERIES_3Y = ("sales_revenue_3y", "rd_expense_3y", "rd_domestic_3y", "rd_overseas_3y", "net_assets_3y")


@HNTE.formula("2016-01-01")
def hnte_2016(facts: Facts, p: ParameterView, result: Assessment) -> None:
    _validate(facts, p)
    checks = [_registered_check(facts, p, result), *_declarations(facts, p, result), _field_check(facts, p, result),
              _staff_check(facts, p, result), _rd_ratio_check(facts, p, result),
              _rd_domestic_check(facts, p, result), _hightech_income_check(facts, p, result),
              _score_check(facts, p, result)]
    result.eligible = all_of(*(check.passed for check in checks))
    result.pass_mark = f"八项条件全部满足，企业创新能力评价高于 {format_number(p.pass_score)} 分"


# --- input consistency (bad input names its field) --------------------------------------------------------------


def _validate(facts: Facts, p: ParameterView) -> None:
    """Raise FactError naming the field when facts contradict each other or exceed an item's maximum."""
    given = [name for name in SERIES_3Y if facts.get(name) is not None]
    for name in given[1:]:
        if len(facts[name]) != len(facts[given[0]]):
            raise FactError(name, f"年数应与 {given[0]} 相同（{len(facts[given[0]])} 年），实际为 {len(facts[name])} 年。")
    _not_above(facts, "tech_staff", "employees", "科技人员数不能大于职工总数。")
    _not_above(facts, "hightech_income", "total_income", "高新技术产品（服务）收入不能大于总收入。")
    _validate_rd_split(facts)
    for item in ITEMS:
        picked, maximum = facts.get(item.fact), getattr(p, item.maximum)
        if picked is not None and picked > maximum:
            raise FactError(item.fact, f"不能大于该项满分 {format_number(maximum)} 分。")


def _not_above(facts: Facts, part: str, whole: str, message: str) -> None:
    if facts.get(part) is not None and facts.get(whole) is not None and facts[part] > facts[whole]:
        raise FactError(part, message)


def _validate_rd_split(facts: Facts) -> None:
    total, domestic, overseas = (facts.get(n) for n in ("rd_expense_3y", "rd_domestic_3y", "rd_overseas_3y"))
    if total is None:
        return
    for name, part in (("rd_domestic_3y", domestic), ("rd_overseas_3y", overseas)):
        if part is not None and any(a > b for a, b in zip(part, total, strict=True)):
            raise FactError(name, "各年数值不能大于当年研究开发费用总额。")
    if domestic is not None and overseas is not None and any(
            d + o != t for d, o, t in zip(domestic, overseas, total, strict=True)):
        raise FactError("rd_overseas_3y", "境内与境外研究开发费用之和应等于各年研究开发费用总额。")


# --- conditions (一)–(六) and (八) --------------------------------------------------------------------------------


def _registered_check(facts: Facts, p: ParameterView, result: Assessment) -> Check:
    """（一）注册成立一年以上: counted in calendar days to the assessment date (see the parameter's comment)."""
    registered, days_needed = facts.get("registered_on"), int(p.min_registered_days)
    days = None if registered is None else Decimal((result.as_of - registered).days)
    passed = compare(days, "ge", p.min_registered_days)
    note = ""
    if passed is False:
        ready = registered + datetime.timedelta(days=days_needed)
        note = f"注册成立满 {days_needed} 天的日期为 {ready.isoformat()}，届时方可申请"
    return add_check(result, "registered", "注册成立一年以上", passed, actual=days,
                     required=f"≥ {days_needed} 天", source=p.source("min_registered_days"), unit="天",
                     missing=missing_of(facts, "registered_on"), note=note)


def _declarations(facts: Facts, p: ParameterView, result: Assessment) -> list[Check]:
    """（二）核心知识产权所有权 and （八）无重大安全质量事故和严重环境违法: declared, verified by experts."""
    return [add_check(result, f"basic.{name}", HNTE.fact_map[name].label, facts.get(name), actual=facts.get(name),
                      required="是", source=p.source("declared_conditions"), missing=missing_of(facts, name),
                      note="企业申报事项，由专家和认定机构核实")
            for name in p.declared_conditions]


def _field_check(facts: Facts, p: ParameterView, result: Assessment) -> Check:
    """（三）核心技术属于《国家重点支持的高新技术领域》的八个一级领域之一."""
    fields, code = p.hightech_fields, facts.get("hightech_field")
    passed = None if code is None else code in fields
    actual = None if code is None else f"{code} {fields.get(code, '（不属于八大领域）')}"
    return add_check(result, "field", "核心技术属于国家重点支持的高新技术领域", passed, actual=actual,
                     required="属于：" + "、".join(fields.values()), source=p.source("hightech_fields"),
                     missing=missing_of(facts, "hightech_field"))


def _staff_check(facts: Facts, p: ParameterView, result: Assessment) -> Check:
    """（四）科技人员占当年职工总数的比例不低于 10%."""
    missing = missing_of(facts, "employees", "tech_staff")
    share = None if missing else ratio(facts["tech_staff"], facts["employees"])
    shortfall = None
    if share is not None and share < p.min_tech_staff_ratio:
        more = numerator_needed(facts["tech_staff"], facts["employees"], "ge", p.min_tech_staff_ratio, COUNT)
        shortfall = fact_change(facts, "tech_staff", "tech_staff", more,
                                f"科技人员还差 {more} 人（须占职工总数 {format_number(p.min_tech_staff_ratio, 'ratio')}）",
                                "人")
    return threshold_check(result, p, "tech_staff", "科技人员占职工总数的比例", share, "ge", "min_tech_staff_ratio",
                           unit="ratio", missing=missing, shortfall=shortfall)


def _rd_ratio_check(facts: Facts, p: ParameterView, result: Assessment) -> Check:
    """（五）近三年研发费用 ÷ 同期销售收入, the minimum chosen by the latest year's sales."""
    missing = missing_of(facts, "sales_revenue_3y", "rd_expense_3y")
    label, source = "近三年研究开发费用占同期销售收入的比例", p.source("rd_ratio_bands")
    if missing:
        return add_check(result, "rd_ratio", label, None, source=source, unit="ratio", missing=missing)
    sales, rd = sum(facts["sales_revenue_3y"]), sum(facts["rd_expense_3y"])
    latest = facts["sales_revenue_3y"][-1]
    bound = p.rd_ratio_bands.lookup(latest)
    required = f"≥ {format_number(bound, 'ratio')}（最近一年销售收入 {format_number(latest, '万元')}）"
    if sales == 0:
        return add_check(result, "rd_ratio", label, None, required=required, source=source, unit="ratio",
                         note="近三年销售收入合计为 0，比例无法计算，须由认定机构判断")
    passed = rd / sales >= bound
    shortfall = None if passed else _rd_shortfall(facts, numerator_needed(rd, sales, "ge", bound), bound)
    return add_check(result, "rd_ratio", label, passed, actual=rd / sales, required=required, source=source,
                     unit="ratio", shortfall=shortfall)


def _rd_shortfall(facts: Facts, more: Decimal, bound: Decimal) -> Shortfall:
    """The latest year takes the extra R&D; it is taken as domestic, so a given domestic series rises too.

    The band depends on sales only, so raising R&D cannot move the bar.
    """
    changes = {"rd_expense_3y": increased(facts["rd_expense_3y"], more)}
    if facts.get("rd_domestic_3y") is not None:
        changes["rd_domestic_3y"] = increased(facts["rd_domestic_3y"], more)
    return Shortfall("rd_ratio", f"近三年研发费用合计还差 {wan(more)}（须达到同期销售收入的 {format_number(bound, 'ratio')}）",
                     changes, more, "万元")


def _domestic_series(facts: Facts) -> tuple[Decimal, ...] | None:
    if facts.get("rd_domestic_3y") is not None:
        return facts["rd_domestic_3y"]
    if facts.get("rd_overseas_3y") is not None and facts.get("rd_expense_3y") is not None:
        return tuple(t - o for t, o in zip(facts["rd_expense_3y"], facts["rd_overseas_3y"], strict=True))
    return None


def _rd_domestic_check(facts: Facts, p: ParameterView, result: Assessment) -> Check:
    """（五）其中在中国境内发生的研发费用占全部研发费用的比例不低于 60%."""
    domestic = _domestic_series(facts)
    missing = missing_of(facts, "rd_expense_3y") + (("rd_domestic_3y",) if domestic is None else ())
    label = "境内研究开发费用占全部研究开发费用的比例"
    if missing:
        return threshold_check(result, p, "rd_domestic", label, None, "ge", "min_domestic_rd_share", unit="ratio",
                               missing=missing, note="提供 rd_domestic_3y 或 rd_overseas_3y 之一即可")
    total, inside = sum(facts["rd_expense_3y"]), sum(domestic)
    if total == 0:
        return add_check(result, "rd_domestic", label, None, source=p.source("min_domestic_rd_share"), unit="ratio",
                         note="近三年研究开发费用为 0，境内占比无法计算")
    shortfall = None
    if inside / total < p.min_domestic_rd_share:
        shortfall = _domestic_shortfall(facts, domestic, total, inside, p.min_domestic_rd_share)
    return threshold_check(result, p, "rd_domestic", label, inside / total, "ge", "min_domestic_rd_share",
                           unit="ratio", shortfall=shortfall)


def _domestic_shortfall(facts: Facts, domestic: tuple[Decimal, ...], total: Decimal, inside: Decimal,
                        bound: Decimal) -> Shortfall:
    """Move R&D from abroad to China with the total unchanged (latest year first): raise the domestic series
    and lower the overseas one, whichever of them was given."""
    more = min(numerator_needed(inside, total, "ge", bound), total - inside)
    room = tuple(t - d for t, d in zip(facts["rd_expense_3y"], domestic, strict=True))
    moved = _spread(more, room)
    changes = {}
    if facts.get("rd_domestic_3y") is not None:
        changes["rd_domestic_3y"] = tuple(d + m for d, m in zip(facts["rd_domestic_3y"], moved, strict=True))
    if facts.get("rd_overseas_3y") is not None:
        changes["rd_overseas_3y"] = tuple(o - m for o, m in zip(facts["rd_overseas_3y"], moved, strict=True))
    return Shortfall("rd_domestic", f"境内研究开发费用还差 {wan(more)}（研发费用总额不变，境外部分相应减少）",
                     changes, more, "万元")


def _spread(amount: Decimal, room: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    """Split ``amount`` over the years, latest first, taking at most ``room[i]`` from each."""
    parts, left = [Decimal(0)] * len(room), amount
    for i in reversed(range(len(room))):
        parts[i] = min(left, room[i])
        left -= parts[i]
    return tuple(parts)


def _hightech_income_check(facts: Facts, p: ParameterView, result: Assessment) -> Check:
    """（六）近一年高新技术产品（服务）收入占同期总收入的比例不低于 60%."""
    missing = missing_of(facts, "hightech_income", "total_income")
    label = "高新技术产品（服务）收入占总收入的比例"
    if not missing and facts["total_income"] == 0:
        return add_check(result, "hightech_income", label, None, source=p.source("min_hightech_income_share"),
                         unit="ratio", note="近一年总收入为 0，占比无法计算")
    share = None if missing else facts["hightech_income"] / facts["total_income"]
    shortfall = None
    if share is not None and share < p.min_hightech_income_share:
        more = min(numerator_needed(facts["hightech_income"], facts["total_income"], "ge",
                                    p.min_hightech_income_share), facts["total_income"] - facts["hightech_income"])
        shortfall = fact_change(facts, "hightech_income", "hightech_income", more,
                                f"高新技术产品（服务）收入还差 {wan(more)}（总收入不变）", "万元")
    return threshold_check(result, p, "hightech_income", label, share, "ge", "min_hightech_income_share",
                           unit="ratio", missing=missing, shortfall=shortfall)


# --- （七）企业创新能力评价 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One scored item of the 工作指引 table: its component id, the expert fact that may fix its exact points,
    the parameter of its maximum, and whether it is wholly expert-judged (no grade from data)."""

    id: str
    label: str
    fact: str
    maximum: str
    judged: bool = False


ITEMS = (
    Item("ip.tech_advancement", "知识产权：技术的先进程度", "tech_advancement_points", "tech_advancement_max", True),
    Item("ip.core_support", "知识产权：对主要产品（服务）在技术上发挥核心支持作用", "core_support_points",
         "core_support_max", True),
    Item("ip.quantity", "知识产权：知识产权数量", "ip_quantity_points", "ip_quantity_max"),
    Item("ip.acquisition", "知识产权：知识产权获得方式", "ip_acquisition_points", "ip_acquisition_max"),
    Item("ip.standards", "知识产权：参与编制标准（加分项）", "standards_points", "standards_max"),
    Item("conversion", "科技成果转化能力", "conversion_points", "conversion_max"),
    Item("rd_management", "研究开发组织管理水平", "rd_management_points", "rd_management_max", True),
    Item("growth.net_assets", "企业成长性：净资产增长率", "net_asset_growth_points", "net_asset_growth_max"),
    Item("growth.sales", "企业成长性：销售收入增长率", "sales_growth_points", "sales_growth_max"),
)


@dataclass(frozen=True)
class Grade:
    """The points a data item's grade allows (None: a fact it needs is missing), with how it was reached."""

    points: Points | None
    basis: str = ""
    missing: tuple[str, ...] = ()


def _ip_quantity_grade(facts: Facts, p: ParameterView) -> Grade:
    missing = missing_of(facts, "class1_ip", "class2_ip")
    if missing:
        return Grade(None, missing=missing)
    by_class1 = as_points(p.ip_quantity_class1_points.lookup(facts["class1_ip"]))
    by_class2 = as_points(p.ip_quantity_class2_points.lookup(facts["class2_ip"]))
    return Grade(max(by_class1, by_class2, key=lambda x: x.high),
                 f"Ⅰ类 {format_number(facts['class1_ip'])} 项，Ⅱ类 {format_number(facts['class2_ip'])} 项")


def _ip_acquisition_grade(facts: Facts, p: ParameterView) -> Grade:
    missing = missing_of(facts, "class1_ip", "class2_ip")
    if missing:
        return Grade(None, missing=missing)
    if facts["class1_ip"] + facts["class2_ip"] == 0:
        return Grade(Points(Decimal(0), Decimal(0)), "无Ⅰ类、Ⅱ类知识产权")
    if facts.get("ip_self_developed") is None:
        return Grade(None, missing=("ip_self_developed",))
    if facts["ip_self_developed"]:
        return Grade(p.ip_acquisition_self_developed, "A 有自主研发")
    return Grade(p.ip_acquisition_acquired_only, "B 仅有受让、受赠和并购等")


def _standards_grade(facts: Facts, p: ParameterView) -> Grade:
    if facts.get("standards_led") is None:
        return Grade(None, missing=("standards_led",))
    return Grade(as_points(p.standards_points.lookup(facts["standards_led"])),
                 f"参与编制 {format_number(facts['standards_led'])} 项")


def _conversion_average(facts: Facts) -> Decimal:
    return Decimal(sum(facts["conversions_3y"])) / len(facts["conversions_3y"])


def _conversion_grade(facts: Facts, p: ParameterView) -> Grade:
    if facts.get("conversions_3y") is None:
        return Grade(None, missing=("conversions_3y",))
    average = _conversion_average(facts)
    return Grade(as_points(p.conversion_points.lookup(average)),
                 f"{len(facts['conversions_3y'])} 年共 {format_number(sum(facts['conversions_3y']))} 项，"
                 f"年均 {format_number(average.quantize(Decimal('0.01')))} 项")


def growth_rate(series: tuple[Decimal, ...]) -> tuple[Decimal | None, str]:
    """Return 增长率 = ½(Y2/Y1 + Y3/Y2) − 1 and how it was computed; None when the rules give 0 points.

    Y2 = 0 ⇒ 0 分; Y1 = 0 ⇒ Y3/Y2 − 1 (RULES.md §2.3 (4)). Two years ⇒ Y2/Y1 − 1; one year, or a negative
    base year (net assets), ⇒ 0 分 — interpretations documented in parameters/hnte.yaml (growth_points).
    """
    if len(series) == 1:
        return None, "仅一年数据，无法计算增长率，计 0 分"
    if len(series) == 2:
        first, last = series
        if first <= 0:
            return None, "首年为 0 或负数，计 0 分"
        return last / first - 1, "两年数据：Y2 ÷ Y1 − 1"
    first, middle, last = series
    if middle <= 0 or first < 0:
        return None, "第二年为 0（或基数为负），计 0 分"
    if first == 0:
        return last / middle - 1, "第一年为 0：Y3 ÷ Y2 − 1"
    return (middle / first + last / middle) / 2 - 1, "½ × (Y2 ÷ Y1 + Y3 ÷ Y2) − 1"


def _growth_grader(name: str) -> Callable[[Facts, ParameterView], Grade]:
    def grade(facts: Facts, p: ParameterView) -> Grade:
        if facts.get(name) is None:
            return Grade(None, missing=(name,))
        rate, how = growth_rate(facts[name])
        if rate is None:
            return Grade(as_points(p.growth_points.bands[-1].value), how)
        return Grade(as_points(p.growth_points.lookup(rate)), f"{how} = {format_number(rate, 'ratio')}")
    return grade


GRADERS: dict[str, Callable[[Facts, ParameterView], Grade]] = {
    "ip.quantity": _ip_quantity_grade, "ip.acquisition": _ip_acquisition_grade, "ip.standards": _standards_grade,
    "conversion": _conversion_grade, "growth.net_assets": _growth_grader("net_assets_3y"),
    "growth.sales": _growth_grader("sales_revenue_3y"),
}


def item_grades(facts: Facts, p: ParameterView) -> dict[str, Grade]:
    """Return the grade of every item before expert picks: data items from their table, judged ones [0, max]."""
    return {item.id: GRADERS[item.id](facts, p) if item.id in GRADERS else
            Grade(Points(Decimal(0), getattr(p, item.maximum)), "专家评审")
            for item in ITEMS}


def _item_points(facts: Facts, p: ParameterView, grades: dict[str, Grade] | None = None
                 ) -> dict[str, Points | None]:
    """Return every item's points: the grade's range, or the expert's pick within it (else FactError).

    ``grades`` are the facts' ``item_grades`` when the caller has them already."""
    grades = item_grades(facts, p) if grades is None else grades
    return {item.id: _picked(item, grades[item.id].points, facts.get(item.fact)) for item in ITEMS}


def _picked(item: Item, grade: Points | None, picked: Decimal | None) -> Points | None:
    if grade is None or picked is None:
        return grade
    if not grade.low <= picked <= grade.high:
        raise FactError(item.fact, f"应在所属档次的分值 {grade} 分之内，实际为 {format_number(picked)} 分。")
    return Points(picked, picked)


def _total(points: dict[str, Points | None], p: ParameterView) -> Points | None:
    """Sum the items; 知识产权 (the ``ip.*`` items, bonus included) is capped at its group maximum."""
    if any(x is None for x in points.values()):
        return None
    cap = p.ip_points_cap
    ip = [x for key, x in points.items() if key.startswith("ip.")]
    rest = [x for key, x in points.items() if not key.startswith("ip.")]
    return Points(min(sum(x.low for x in ip), cap) + sum(x.low for x in rest),  # type: ignore[union-attr]
                  min(sum(x.high for x in ip), cap) + sum(x.high for x in rest))  # type: ignore[union-attr]


def _score_check(facts: Facts, p: ParameterView, result: Assessment) -> Check:
    """（七）企业创新能力评价 > 70: passed when the low end clears it, failed when the high end cannot."""
    grades = item_grades(facts, p)
    points = _item_points(facts, p, grades)
    result.components.extend(
        Component(item.id, item.label, points[item.id], getattr(p, item.maximum), grades[item.id].basis,
                  item.judged or facts.get(item.fact) is not None) for item in ITEMS)
    total = result.score = _total(points, p)
    passed = None if total is None else _range_passes(total, p.pass_score)
    open_items = [item for item in ITEMS if _is_open(points[item.id])]
    if passed is None:
        result.expert_inputs = [item.fact for item in open_items if facts.get(item.fact) is None]
    shortfall = _score_shortfall(facts, p, total) if passed is False and total is not None else None
    if total is not None and result.detail:
        result.hints.extend(_hints(facts, p))
    return add_check(result, "score", "企业创新能力评价综合得分", passed, actual=total,
                     required=f"> {format_number(p.pass_score)} 分", source=p.source("pass_score"), unit="分",
                     missing=tuple(sorted({name for grade in grades.values() for name in grade.missing})),
                     note=_score_note(passed, total, open_items, shortfall), shortfall=shortfall)


def _range_passes(total: Points, pass_score: Decimal) -> bool | None:
    """True when even the low end is above the pass mark, False when not even the high end is, else None."""
    if total.low > pass_score:
        return True
    return None if total.high > pass_score else False


def _is_open(points: Points | None) -> bool:
    """An item is open when its points are still a range an expert narrows."""
    return points is not None and not points.exact


def _score_note(passed: bool | None, total: Points | None, open_items: list[Item],
                shortfall: Shortfall | None) -> str:
    if passed is None and total is not None:
        return f"得分区间 {total} 分，须由专家评定：" + "、".join(item.label for item in open_items)
    if passed is False and shortfall is None:
        return "即使各项均取所在档次上限，也无法高于及格分"
    return ""


# --- what would lift the score ------------------------------------------------------------------------------------

# Which items a data fact feeds: changing the fact voids an expert's pick within the old grade.
FEEDS = {"class1_ip": ("ip.quantity", "ip.acquisition"), "class2_ip": ("ip.quantity", "ip.acquisition"),
         "ip_self_developed": ("ip.acquisition",), "standards_led": ("ip.standards",),
         "conversions_3y": ("conversion",)}


@dataclass(frozen=True)
class Option:
    """A change of data that raises the reachable score (its high end) by ``gain`` points."""

    kind: str
    gain: Decimal
    changes: dict
    text: str


def _voided(changes: dict) -> dict:
    """Return the expert picks a data change voids (set to None): those of the items the changed facts feed."""
    return {item.fact: None for item in ITEMS for name in changes if item.id in FEEDS.get(name, ())}


def _with(facts: Facts, changes: dict) -> Facts:
    """Apply data ``changes``, clearing the expert picks within grades they move."""
    return facts.replace(**{**_voided(changes), **changes})


def _high(facts: Facts, p: ParameterView) -> Decimal:
    total = _total(_item_points(facts, p), p)
    assert total is not None  # options are only sought when every item could be scored
    return total.high


def _candidates(facts: Facts, p: ParameterView) -> list[tuple[str, dict, str]]:
    """Single data changes worth trying: more IP (taken as self-developed), a standard, more conversions."""
    found: list[tuple[str, dict, str]] = []
    own = {} if facts.get("ip_self_developed") else {"ip_self_developed": True}
    how = "再获得" if not own else "再自主研发获得"
    if facts["class1_ip"] < 1:
        for band in p.ip_quantity_class2_points.better_bands(facts["class2_ip"]):
            more = count_needed(facts["class2_ip"], band.bound)
            found.append(("ip", {"class2_ip": facts["class2_ip"] + more, **own}, f"{how} {more} 项Ⅱ类知识产权"))
        found.append(("ip", {"class1_ip": Decimal(1), **own}, f"{how} 1 项Ⅰ类知识产权"))
    for band in p.standards_points.better_bands(facts["standards_led"]):
        more = count_needed(facts["standards_led"], band.bound)
        found.append(("standards", {"standards_led": facts["standards_led"] + more},
                      f"参与编制 {more} 项国家标准、行业标准、检测方法或技术规范"))
    years, done = len(facts["conversions_3y"]), Decimal(sum(facts["conversions_3y"]))
    for band in p.conversion_points.better_bands(_conversion_average(facts)):
        more = count_needed(done, band.bound * years)
        found.append(("conversion", {"conversions_3y": increased(facts["conversions_3y"], more)},
                      f"科技成果转化再增加 {more} 项（近 {years} 年年均达到 {format_number(band.bound)} 项）"))
    return found


def _options(facts: Facts, p: ParameterView) -> list[Option]:
    base = _high(facts, p)
    options = [Option(kind, _high(_with(facts, changes), p) - base, changes, text)
               for kind, changes, text in _candidates(facts, p)]
    return [option for option in options if option.gain > 0]


def _points_needed(high: Decimal, pass_score: Decimal) -> Decimal:
    """Return the whole points that lift ``high`` strictly above the pass mark."""
    return (pass_score - high).to_integral_value(rounding=ROUND_FLOOR) + 1


def _score_shortfall(facts: Facts, p: ParameterView, total: Points) -> Shortfall | None:
    """Lift the reachable score (high end) above the pass mark: one data change if one suffices, else the best of
    each kind together. Items still open are then put at the top of their grade — the high end *is* that
    assumption, and it makes the applied changes pass the check exactly."""
    gap = _points_needed(total.high, p.pass_score)
    options = _options(facts, p)
    enough = [option for option in options if option.gain >= gap]
    if enough:
        chosen = [min(enough, key=lambda option: option.gain)]
    else:
        chosen = [max((o for o in options if o.kind == kind), key=lambda o: o.gain)
                  for kind in dict.fromkeys(o.kind for o in options)]
    changes = {name: value for option in chosen for name, value in option.changes.items()}
    if not chosen or _high(_with(facts, changes), p) <= p.pass_score:
        return None
    points = _item_points(_with(facts, changes), p)  # the grades the changed data reach
    tops = {item.fact: points[item.id].high for item in ITEMS if _is_open(points[item.id])}  # type: ignore[union-attr]
    text = "，且".join(option.text for option in chosen)
    assumed = "；专家评审项按所在档次上限计" if tops else ""
    return Shortfall("score", f"创新能力评价得分最高 {format_number(total.high)} 分，还差 {format_number(gap)} 分"
                              f"（须高于 {format_number(p.pass_score)} 分）：{text}{assumed}",
                     {**_voided(changes), **changes, **tops}, gap, "分")


def _hints(facts: Facts, p: ParameterView) -> list[Hint]:
    """The cheapest step of each kind: "再获得 1 项Ⅱ类知识产权，知识产权得分最多可增加 2 分"."""
    if any(facts.get(name) is None for name in ("class1_ip", "class2_ip", "standards_led", "conversions_3y")):
        return []
    labels = {"ip": "知识产权", "standards": "知识产权（标准加分）", "conversion": "科技成果转化能力"}
    options, hints = _options(facts, p), []
    for kind, label in labels.items():
        of_kind = [option for option in options if option.kind == kind]
        if of_kind:
            cheapest = min(of_kind, key=lambda option: option.gain)
            hints.append(Hint(f"{cheapest.text}，{label}得分最多可增加 {format_number(cheapest.gain)} 分",
                              cheapest.gain, {**_voided(cheapest.changes), **cheapest.changes}))
    return hints
