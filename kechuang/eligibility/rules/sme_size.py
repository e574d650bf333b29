"""中小企业划型 (enterprise size class): 大型/中型/小型/微型 by the sector's standard, 工信部联企业〔2011〕300号.

RULES.md §8.1. A calculator: the outputs are the size class and its label; ``eligible`` says whether the
enterprise is a 中小微企业 (medium, small or micro). Large, medium and small each need BOTH of the sector's lower
bounds; below either small-enterprise bound is micro. Only sectors whose thresholds are in the parameter file are
classified (工业, 软件和信息技术服务业); any other sector is reported as not supported, never guessed.
"""

from __future__ import annotations

from decimal import Decimal

from kechuang.eligibility.engine.build import add_check, missing_of
from kechuang.eligibility.engine.facts import COUNT, MONEY, TEXT, Fact, Facts
from kechuang.eligibility.engine.params import OPERATORS, ParameterView, format_number
from kechuang.eligibility.engine.programme import Programme, register
from kechuang.eligibility.engine.result import Assessment, all_of, compare

# Sector code → 行业 label. Its GB/T 4754 codes, measures and bounds are parameters named after the code
# (industries_<sector>, measures_<sector>, <sector>_<size>_<measure>).
SECTORS = {"industrial": "工业", "software": "软件和信息技术服务业"}
# 大型/中型/小型 need both lower bounds, tried in this order; an enterprise that reaches none of them is 微型.
BOUNDED_SIZES = ("large", "medium", "small")
MICRO = "micro"
SIZE_LABELS = {"large": "大型企业", "medium": "中型企业", "small": "小型企业", "micro": "微型企业"}
UNSUPPORTED = "该行业暂不支持划型"

FACTS = (
    Fact("industry", "行业代码", TEXT, help="GB/T 4754-2017 大类（2 位）或更细的代码，用于确定划型行业"),
    Fact("sector", "划型行业", TEXT,
         help="可选，直接指定划型行业（industrial 工业、software 软件和信息技术服务业），优先于行业代码"),
    Fact("employees", "从业人员", COUNT, help="期末从业人员数"),
    Fact("sales_revenue", "营业收入", MONEY, help="上一年度营业收入"),
    Fact("total_assets", "资产总额", MONEY, help="按资产总额划型的行业使用；目前支持的行业不使用"),
)

SME_SIZE = register(Programme(
    "sme_size", "中小企业划型", FACTS, kind="calculator",
    description="工信部联企业〔2011〕300号：按行业的从业人员、营业收入标准划分大型、中型、小型、微型企业"
                "（目前支持工业、软件和信息技术服务业）。"))


@SME_SIZE.formula("2011-06-18")
def sme_size_2011(facts: Facts, p: ParameterView, result: Assessment) -> None:
    sector = _sector(facts, p, result)
    if sector is None:
        result.outputs.update(sector=None, sector_label=None, size=None, size_label=None, possible_sizes=[])
        result.summary = "无法划型：" + result.check("sector").note
        return
    reached = {size: _reached(facts, p, result, sector, size) for size in BOUNDED_SIZES}
    sizes = possible_sizes(reached)
    size = sizes[0] if len(sizes) == 1 else None
    not_large = None if reached["large"] is None else not reached["large"]
    add_check(result, "sme", "属于中小微企业（未同时达到大型企业标准）", not_large, actual=_size_text(sizes),
              required="从业人员或营业收入低于大型企业标准", source=p.source(f"{sector}_large_employees"),
              missing=missing_of(facts, *getattr(p, f"measures_{sector}")) if not_large is None else ())
    result.eligible = not_large
    result.outputs.update(sector=sector, sector_label=SECTORS[sector], size=size,
                          size_label=SIZE_LABELS[size] if size else None, possible_sizes=sizes)
    result.summary = f"{SECTORS[sector]}：{_size_text(sizes)}"


def possible_sizes(reached: dict[str, bool | None]) -> list[str]:
    """Return the size classes still possible, largest first: the first class whose bounds are all reached,
    preceded by every class left undetermined by a missing fact (one class when everything is known)."""
    sizes = []
    for size in BOUNDED_SIZES:
        if reached[size] is False:
            continue
        sizes.append(size)
        if reached[size] is True:
            return sizes
    return [*sizes, MICRO]


def _size_text(sizes: list[str]) -> str:
    return "或".join(SIZE_LABELS[size] for size in sizes) + ("（数据缺失，尚不能确定）" if len(sizes) > 1 else "")


def _sector(facts: Facts, p: ParameterView, result: Assessment) -> str | None:
    """Return the sector to classify by: the explicit ``sector`` fact, else the one whose codes hold ``industry``."""
    from kechuang.enterprises.industry import section_of

    explicit, code = facts.get("sector"), facts.get("industry")
    if explicit is None and code is None:
        add_check(result, "sector", "所属行业可划型", None, required="、".join(SECTORS.values()),
                  source=_all_sources(p), missing=("industry",), note="缺少行业代码")
        return None
    if explicit is not None:
        sector = explicit if explicit in SECTORS else None
    else:
        # A sector lists GB/T 4754 section letters and/or two-digit divisions (大类).
        codes = {code[:2], section_of(code)} if section_of(code) else set()
        sector = next((s for s in SECTORS if codes & set(getattr(p, f"industries_{s}"))), None)
    shown = explicit if explicit is not None else f"{code}（门类 {section_of(code) or '未知'}）"
    add_check(result, "sector", "所属行业可划型", True if sector else None, actual=shown,
              required="、".join(SECTORS.values()),
              source=p.source(f"industries_{sector}") if sector else _all_sources(p),
              note="" if sector else f"{UNSUPPORTED}（目前支持：{'、'.join(SECTORS.values())}）")
    return sector


def _all_sources(p: ParameterView) -> str:
    return "；".join(dict.fromkeys(p.source(f"industries_{sector}") for sector in SECTORS))


def _reached(facts: Facts, p: ParameterView, result: Assessment, sector: str, size: str) -> bool | None:
    """Whether every lower bound of ``size`` in ``sector`` is reached (None while a needed fact is missing).

    Each bound is shown as an information check: it explains the class, it is not a condition to meet.
    """
    passed = []
    for measure in getattr(p, f"measures_{sector}"):
        parameter = f"{sector}_{size}_{measure}"
        bound: Decimal = getattr(p, parameter)
        actual = facts.get(measure)
        unit = "人" if SME_SIZE.fact_map[measure].kind == COUNT else "万元"
        ok = compare(actual, "ge", bound)
        passed.append(ok)
        add_check(result, f"{size}.{measure}", f"{SME_SIZE.fact_map[measure].label}达到{SIZE_LABELS[size]}标准",
                  ok, actual=actual, required=f"{OPERATORS['ge']} {format_number(bound, unit)}",
                  source=p.source(parameter), unit=unit, missing=missing_of(facts, measure), role="info")
    return all_of(*passed)

