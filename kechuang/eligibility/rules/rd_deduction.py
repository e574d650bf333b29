"""研发费用加计扣除 (R&D expense super-deduction) calculator, RULES.md §3.

The tax year is the year of ``as_of``: pass a day of the year whose expenses are computed (2024-12-31 for the
2024 annual settlement). From the R&D projects' expense classes, entrusted R&D and capitalised R&D, it computes
the 其他相关费用 cap, the deductible base, the extra deduction (加计扣除额) at the rate of the enterprise's category,
the tax amortisation of capitalised R&D and — for an enterprise whose tax rate is known — the tax saved.
``eligible`` is False for an enterprise in an excluded industry (财税〔2015〕119号 第四条), whose extra deduction is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from kechuang.eligibility.engine.build import add_check, missing_of, wan
from kechuang.eligibility.engine.facts import BOOL, CODES, COUNT, MONEY, RATIO, TEXT, Fact, FactError, Facts
from kechuang.eligibility.engine.params import ParameterView, format_number
from kechuang.eligibility.engine.programme import Programme, register
from kechuang.eligibility.engine.result import CENT, Assessment

FIRST_FIVE = {"personnel": "人员人工费用", "direct_input": "直接投入费用", "depreciation": "折旧费用",
              "amortisation": "无形资产摊销", "design_trial": "新产品设计费等（含临床试验费、现场试验费）"}
OTHER = "other"  # 其他相关费用, capped (财税〔2015〕119号 第一条（一）6)
EXPENSE_CLASSES = {**FIRST_FIVE, OTHER: "其他相关费用"}
# Rate categories: every enterprise is "general"; the others are claims that need evidence (see _claims).
CATEGORIES = {"general": "一般企业", "manufacturing": "制造业企业", "tech_sme": "科技型中小企业",
              "ic_machine": "列入清单的集成电路企业或工业母机企业"}
ALL_PROJECTS, PER_PROJECT = "all_projects", "per_project"


def cents(amount: Decimal) -> Decimal:
    """Round an amount in 万元 to 0.01 万元, half up, as the outputs report it."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ProjectsFact(Fact):
    """研发项目费用明细: a list of projects, each ``{personnel, direct_input, depreciation, amortisation,
    design_trial, other}`` in 万元 (plus an optional ``name``).

    The list is the enterprise's R&D ledger, so a class a project omits is 0 for that project; the list as a whole
    is what can be missing.
    """

    kind: str = "projects"

    @property
    def unit(self) -> str:
        return "万元"

    def describe_unit(self) -> str:
        classes = "、".join(f"{key} {label}" for key, label in EXPENSE_CLASSES.items())
        return f"项目列表，每项为对象：{classes}（万元；未列的类别为 0），可选 name 项目名称"

    def clean(self, raw: Any) -> tuple[dict[str, Any], ...]:
        if not isinstance(raw, list | tuple):
            raise FactError(self.name, "应为研发项目列表，每个项目为 {费用类别: 金额（万元）}。")
        return tuple(self._clean_project(f"{self.name}[{i}]", item) for i, item in enumerate(raw))

    def _clean_project(self, field: str, item: Any) -> dict[str, Any]:
        if not isinstance(item, Mapping):
            raise FactError(field, "应为对象：费用类别 → 金额（万元）。")
        unknown = sorted(set(item) - set(EXPENSE_CLASSES) - {"name"})
        if unknown:
            raise FactError(f"{field}.{unknown[0]}", f"未知的费用类别（可用：{'、'.join(EXPENSE_CLASSES)}、name）。")
        if not isinstance(item.get("name", ""), str):
            raise FactError(f"{field}.name", "项目名称应为文本。")
        costs = {key: self._clean_number(f"{field}.{key}", item[key]) if item.get(key) is not None else Decimal(0)
                 for key in EXPENSE_CLASSES}
        return {**({"name": item["name"]} if "name" in item else {}), **costs}


FACTS = (
    Fact("industry", "行业代码", TEXT, help="GB/T 4754-2017 代码；判定负面清单行业与制造业企业"),
    Fact("excluded_business_share", "负面清单行业业务收入占比", RATIO,
         help="负面清单行业业务收入 ÷（收入总额 − 不征税收入 − 投资收益）；提供时据此判定是否属于不适用行业"),
    Fact("qualifications", "有效资格", CODES, help="含 tsme 即为科技型中小企业，含 hnte 即为高新技术企业"),
    Fact("holds_valid_hnte", "拥有有效期内高新技术企业资格证书", BOOL, help="用于估算减免税额（15% 税率）"),
    Fact("listed_ic_or_machine_tool", "列入清单的集成电路企业或工业母机企业", BOOL),
    ProjectsFact("projects", "研发项目费用明细", help="本纳税年度自主研发项目的费用，按项目列示"),
    Fact("commissioned_domestic", "委托境内研发费用", MONEY, help="实际发生额"),
    Fact("commissioned_overseas", "委托境外研发费用", MONEY, help="实际发生额；合同须经科技部门登记"),
    Fact("capitalised_cost", "形成无形资产的研发成本", MONEY),
    Fact("amortisation_years", "无形资产摊销年限", COUNT, minimum=Decimal(1), help="整年数"),
)

RD_DEDUCTION = register(Programme(
    "rd_deduction", "研发费用加计扣除", FACTS, kind="calculator",
    description="按纳税年度（评估日期所在年度）计算研发费用加计扣除额：其他相关费用限额、委托研发 80% 与境外 2/3 "
                "限额、按企业类别适用的加计扣除比例（50%–120%）及形成无形资产的摊销比例（150%–220%）。"))


@RD_DEDUCTION.formula("2016-01-01")
def rd_deduction_2016(facts: Facts, p: ParameterView, result: Assessment) -> None:
    eligible = _industry_check(facts, p, result)
    category = None if eligible is False else _category(facts, p, result)
    expensed, amortised, basis = _rates(p, category)
    base = _deductible_base(facts, p, result)
    extra = None if base["deductible_base"] is None else cents(base["deductible_base"] * expensed)
    result.eligible = eligible
    result.outputs.update(tax_year=result.as_of.year, **base, rate=expensed, rate_category=category,
                          rate_basis=basis, extra_deduction=extra, amortisation_rate=amortised,
                          **_amortisation(facts, amortised), **_tax_saved(facts, p, extra))
    result.summary = _summary(result, eligible, extra, expensed)


def _rates(p: ParameterView, category: str | None) -> tuple[Decimal, Decimal, str]:
    """Return (加计扣除比例, 摊销比例, citation) of ``category``; None (an excluded industry) gets no extra
    deduction, and its capitalised R&D amortises at cost."""
    if category is None:
        return Decimal(0), Decimal(1), p.source("excluded_industries")
    return (getattr(p, f"expensed_rate_{category}"), getattr(p, f"amortisation_rate_{category}"),
            p.source(f"expensed_rate_{category}"))


# --- who may deduct, at which rate ---------------------------------------------------------------------------


def _industry_check(facts: Facts, p: ParameterView, result: Assessment) -> bool | None:
    """Not in an excluded industry: by the revenue share when given (2015年第97号), else by the industry code."""
    from kechuang.enterprises.industry import industries, section_of

    listed = "、".join(f"{code} {industries()[code].name}" for code in p.excluded_industries)
    share, code = facts.get("excluded_business_share"), facts.get("industry")
    label, source = "不属于不适用加计扣除政策的行业", f"{p.source('excluded_industries')}；{p.source('excluded_by_share')}"
    if share is not None:
        band = p.excluded_by_share.bands[0]
        return add_check(result, "industry", label, not p.excluded_by_share.lookup(share), actual=share, unit="ratio",
                         required=f"负面清单行业（{listed}）业务收入占比不得 {band.describe('ratio')}",
                         source=source).passed
    if code is None:
        return add_check(result, "industry", label, None, required=f"不属于：{listed}", source=source,
                         missing=("industry",), note="或提供负面清单行业业务收入占比").passed
    section = section_of(code)
    excluded = code[:2] in p.excluded_industries or (section is not None and section in p.excluded_industries)
    return add_check(result, "industry", label, not excluded, actual=f"{code}（门类 {section or '未知'}）",
                     required=f"不属于：{listed}", source=source,
                     note="按行业代码（主营业务）判定；可提供负面清单行业业务收入占比").passed


def _claims(facts: Facts) -> dict[str, tuple[bool, str]]:
    """Special categories → (claimed, evidence shown). Without evidence a category is not claimed."""
    from kechuang.enterprises.industry import section_of

    code, qualifications = facts.get("industry"), facts.get("qualifications")
    section = section_of(code) if code else None
    ic_machine = facts.get("listed_ic_or_machine_tool")
    return {
        "manufacturing": (section == "C", f"行业代码 {code}（门类 {section or '未知'}）" if code else "未提供行业代码"),
        "tech_sme": (qualifications is not None and "tsme" in qualifications,
                     ("、".join(sorted(qualifications)) or "无") if qualifications is not None else "未提供有效资格"),
        "ic_machine": (ic_machine is True, {True: "是", False: "否", None: "未提供"}[ic_machine]),
    }


def _category(facts: Facts, p: ParameterView, result: Assessment) -> str:
    """Return the category with the highest rate among those the enterprise belongs to.

    A special category whose rate on this date exceeds the general rate is shown as a route check.
    """
    chosen = "general"
    for category, (claimed, shown) in _claims(facts).items():
        rate = getattr(p, f"expensed_rate_{category}")
        if rate <= p.expensed_rate_general:
            continue
        add_check(result, f"special.{category}", f"{CATEGORIES[category]}适用加计扣除比例 {format_number(rate, 'ratio')}",
                  claimed, actual=shown, required=f"属于{CATEGORIES[category]}",
                  source=p.source(f"expensed_rate_{category}"), role="route")
        if claimed and rate > getattr(p, f"expensed_rate_{chosen}"):
            chosen = category
    return chosen


# --- the deductible base ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InHouse:
    """自主研发: the first five classes, the other expenses, their cap and the part allowed (万元)."""

    first_five: Decimal
    other: Decimal
    cap: Decimal
    allowed: Decimal


def in_house(projects: tuple[dict[str, Any], ...], p: ParameterView) -> InHouse:
    """Apply the 其他相关费用 cap: other ≤ first five × r ÷ (1 − r), per project or across all projects."""
    factor = p.other_cap_ratio / (1 - p.other_cap_ratio)
    first = [sum((project[key] for key in FIRST_FIVE), Decimal(0)) for project in projects]
    other = [project[OTHER] for project in projects]
    if p.other_cap_scope == ALL_PROJECTS:  # 国家税务总局公告2021年第28号
        cap = sum(first, Decimal(0)) * factor
        allowed = min(sum(other, Decimal(0)), cap)
    elif p.other_cap_scope == PER_PROJECT:  # 国家税务总局公告2017年第40号
        caps = [amount * factor for amount in first]
        cap, allowed = sum(caps, Decimal(0)), sum((min(o, c) for o, c in zip(other, caps, strict=True)), Decimal(0))
    else:
        raise ValueError(f"unknown other_cap_scope {p.other_cap_scope!r}")
    return InHouse(cents(sum(first, Decimal(0))), cents(sum(other, Decimal(0))), cents(cap), cents(allowed))


def _deductible_base(facts: Facts, p: ParameterView, result: Assessment) -> dict[str, Decimal | None]:
    """Return the base outputs: in-house R&D after the cap plus entrusted R&D counted (None where data is missing)."""
    own = None if facts.get("projects") is None else in_house(facts["projects"], p)
    _other_cap_check(own, p, result, facts)
    domestic = facts.get("commissioned_domestic")
    domestic_counted = None if domestic is None else cents(domestic * p.commissioned_domestic_share)
    domestic_total = None if own is None or domestic_counted is None else \
        own.first_five + own.allowed + domestic_counted
    overseas_counted = _overseas_counted(facts, p, result, domestic_total)
    base = None if domestic_total is None or overseas_counted is None else domestic_total + overseas_counted
    return {
        "first_five_total": None if own is None else own.first_five,
        "other_expense_total": None if own is None else own.other,
        "other_expense_cap": None if own is None else own.cap,
        "other_expense_allowed": None if own is None else own.allowed,
        "in_house_base": None if own is None else own.first_five + own.allowed,
        "commissioned_domestic_counted": domestic_counted, "commissioned_overseas_counted": overseas_counted,
        "commissioned_counted": None if domestic_counted is None or overseas_counted is None
        else domestic_counted + overseas_counted,
        "deductible_base": base,
    }


def _other_cap_check(own: InHouse | None, p: ParameterView, result: Assessment, facts: Facts) -> None:
    scope = "全部项目统一计算" if p.other_cap_scope == ALL_PROJECTS else "按项目分别计算"
    ratio = format_number(p.other_cap_ratio, "ratio")
    add_check(result, "other_expense_cap", f"其他相关费用不超过可加计扣除研发费用总额的 {ratio}",
              None if own is None else own.allowed == own.other, actual=None if own is None else own.other, unit="万元",
              required=f"≤ 前五类费用 × {ratio} ÷ (1 − {ratio})（{scope}）"
                       + ("" if own is None else f" = {wan(own.cap)}"),
              source=f"{p.source('other_cap_ratio')}；{p.source('other_cap_scope')}",
              missing=missing_of(facts, "projects"), role="info",
              note="" if own is None or own.allowed == own.other else f"超出限额的 {wan(own.other - own.allowed)} 不得加计扣除")


def _overseas_counted(facts: Facts, p: ParameterView, result: Assessment,
                      domestic_total: Decimal | None) -> Decimal | None:
    """委托境外: 80% of the amount, at most 2/3 of the eligible domestic R&D (财税〔2018〕64号)."""
    overseas = facts.get("commissioned_overseas")
    fraction = Fraction(p.overseas_cap_of_domestic)
    counted = None if overseas is None else cents(overseas * p.commissioned_overseas_share)
    limit = None if domestic_total is None else \
        cents(domestic_total * Decimal(fraction.numerator) / Decimal(fraction.denominator))
    within = None if counted is None or limit is None else counted <= limit
    add_check(result, "overseas_cap", f"委托境外研发费用计入额不超过境内符合条件的研发费用的 {fraction}",
              within, actual=counted, unit="万元", required="≤ " + ("—" if limit is None else wan(limit)),
              source=f"{p.source('commissioned_overseas_share')}；{p.source('overseas_cap_of_domestic')}",
              missing=missing_of(facts, "commissioned_overseas", "commissioned_domestic", "projects"), role="info")
    if counted is None or limit is None:
        return None
    return min(counted, limit)


# --- capitalised R&D, tax saved, summary -------------------------------------------------------------------------


def _amortisation(facts: Facts, rate: Decimal) -> dict[str, Decimal | None]:
    """形成无形资产: yearly book amortisation (straight line) and tax amortisation at ``rate`` of the cost."""
    cost, years = facts.get("capitalised_cost"), facts.get("amortisation_years")
    if cost is None or years is None:
        return {"book_amortisation_per_year": None, "amortisation_per_year": None, "extra_amortisation_per_year": None}
    book, tax = cents(cost / years), cents(cost * rate / years)
    return {"book_amortisation_per_year": book, "amortisation_per_year": tax, "extra_amortisation_per_year": tax - book}


def _holds_hnte(facts: Facts) -> bool | None:
    if facts.get("holds_valid_hnte") is not None:
        return facts["holds_valid_hnte"]
    return None if facts.get("qualifications") is None else "hnte" in facts["qualifications"]


def _tax_saved(facts: Facts, p: ParameterView, extra: Decimal | None) -> dict[str, Decimal | None]:
    """Income tax saved by the expensed extra deduction, at 15% for a 高新技术企业 else 25% (enough taxable income
    assumed; 小型微利企业 and other reliefs are not modelled). Unknown 高企 status ⇒ None."""
    hnte = _holds_hnte(facts)
    rate = None if hnte is None else (p.cit_rate_hnte if hnte else p.cit_rate_standard)
    return {"cit_rate": rate, "tax_saved": None if rate is None or extra is None else cents(extra * rate)}


def _summary(result: Assessment, eligible: bool | None, extra: Decimal | None, rate: Decimal) -> str:
    year = result.as_of.year
    if eligible is False:
        return f"{year} 年度：属于不适用加计扣除政策的行业，加计扣除额为 0"
    if extra is None:
        return f"{year} 年度：缺少数据，无法计算加计扣除额"
    pending = "（行业尚待确认）" if eligible is None else ""
    return f"{year} 年度加计扣除额 {wan(extra)}（比例 {format_number(rate, 'ratio')}）{pending}"
