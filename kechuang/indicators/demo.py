"""Demo step `indicators` (演示指标): reported figures for every demo region and year consistent with the demo
enterprises, computed and derived figures, targets for the demo's current year (2024, the year its enterprise
data ends), one assessment scheme with a published red/black list, and collection rounds in various states.

Consistency: a district's 全社会R&D经费 is its enterprises' R&D (computed `enterprise_rd_expense`) × 1.15–1.45
(universities and institutes add the rest); its GDP is set so that R&D强度 falls between 2 % and 3.5 %; sums are
reported by districts (counties at province scale) and the city and province figures are their sums, so a city
figure always equals the sum of its parts. Streets report no statistics-office figures (数据暂缺 there is real).
Idempotent: when demo values exist (note "演示数据") the step only makes sure the catalogue is synced.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from kechuang.demo.registry import DemoContext, demo_step
from kechuang.demo.steps import DEMO_CITY
from kechuang.indicators import collection
from kechuang.indicators.choices import BlackRule, IndicatorKind, SubmissionStatus, ValueOrigin
from kechuang.indicators.models import (
    AssessmentScheme,
    Indicator,
    IndicatorValue,
    SchemeItem,
    Submission,
    Target,
)
from kechuang.indicators.periods import ANNUAL, period_end
from kechuang.indicators.redblack import build_list, publish_list
from kechuang.indicators.services import compute_indicators, store_figures, sync_catalogue
from kechuang.regions.models import Region

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
CURRENT = 2024
QUARTERS = ("Q1", "Q2", "Q3")
QUARTER_SHARE = {"Q1": 0.22, "Q2": 0.47, "Q3": 0.73}
MARKER = "演示数据"
D2 = Decimal("0.01")


def _reporting_regions(scale: str) -> tuple[list[Region], list[Region]]:
    """(reporting leaves, their ancestors that sum them): districts of the demo city, or every county of 江苏."""
    if scale == "province":
        leaves = list(Region.objects.subtree("32").filter(level="county").order_by("code"))
        tops = list(Region.objects.subtree("32").filter(level__in=("province", "city")).order_by("code"))
    else:
        leaves = list(Region.objects.children_of(DEMO_CITY).filter(kind="administrative").order_by("code"))
        tops = [Region.objects.get(code=DEMO_CITY)]
    return leaves, tops


@demo_step("indicators", order=40)
def load_demo_indicators(ctx: DemoContext) -> None:
    sync_catalogue(actor=None)
    if IndicatorValue.objects.filter(origin=ValueOrigin.ENTERED).exists():
        ctx.write("  已有演示指标数据，跳过。")
        return
    started = time.monotonic()
    rng = ctx.rng
    root = "32" if ctx.scale == "province" else DEMO_CITY[:4]
    leaves, tops = _reporting_regions(ctx.scale)
    for year in YEARS:
        compute_indicators(year=year, region_code=root, as_of=date(year, 12, 31))
    for quarter in QUARTERS:
        compute_indicators(year=CURRENT, period=quarter, region_code=root, as_of=date(CURRENT, 12, 31))
    ctx.write(f"  平台计算指标：{len(YEARS)} 个年度 + {CURRENT} 年前三季度，用时 {time.monotonic() - started:.1f} 秒")
    reported = _reported_figures(rng, leaves, tops)
    indicators = {i.code: i for i in Indicator.objects.filter(kind=IndicatorKind.REPORTED)}
    written = 0
    for (code, year, period), figures in reported.items():
        counts = store_figures(indicators[code], year, period, period_end(year, period), figures,
                               origin=ValueOrigin.ENTERED)
        written += counts["created"]
    IndicatorValue.objects.filter(origin=ValueOrigin.ENTERED, note="").update(note=MARKER)
    for year in YEARS:
        compute_indicators(year=year, region_code=root, as_of=date(year, 12, 31),
                           codes=[i.code for i in Indicator.objects.filter(kind=IndicatorKind.DERIVED)])
    for quarter in QUARTERS:
        compute_indicators(year=CURRENT, period=quarter, region_code=root, as_of=date(CURRENT, 12, 31),
                           codes=[i.code for i in Indicator.objects.filter(kind=IndicatorKind.DERIVED)])
    ctx.write(f"  填报类指标 {written:,} 个数值（区县及以上），派生指标已计算")
    city = tops[0] if ctx.scale != "province" else Region.objects.get(code=DEMO_CITY)
    _targets(rng, city, leaves if ctx.scale != "province" else list(
        Region.objects.children_of(DEMO_CITY).filter(kind="administrative")))
    scheme = _scheme(city)
    lines = build_list(year=CURRENT, as_of=date(CURRENT, 12, 31), scheme=scheme)
    publish_list(title=f"{CURRENT}年{city.name}{scheme.name}红黑榜", lines=lines, year=CURRENT,
                 as_of=date(CURRENT, 12, 31), region=city, scheme=scheme, actor=None)
    _rounds(rng, city)
    ctx.write(f"  目标、考核办法、红黑榜和采集轮次已生成（用时 {time.monotonic() - started:.1f} 秒）")


def _value(code: str, year: int, region: str) -> Decimal | None:
    return IndicatorValue.objects.filter(indicator__code=code, year=year, period=ANNUAL, region_id=region) \
        .values_list("value", flat=True).first()


def _reported_figures(rng: random.Random, leaves: list[Region], tops: list[Region]
                      ) -> dict[tuple[str, int, str], dict[str, Decimal]]:
    """Draw every reported figure of every leaf and year; sum additive ones into the tops."""
    out: dict[tuple[str, int, str], dict[str, Decimal]] = defaultdict(dict)
    quarterly = set(Indicator.objects.filter(kind=IndicatorKind.REPORTED, frequency="quarter")
                    .values_list("code", flat=True))
    additive = set(Indicator.objects.filter(kind=IndicatorKind.REPORTED, aggregation="sum")
                   .values_list("code", flat=True))
    rd_by = {(r, y): v for r, y, v in IndicatorValue.objects.filter(
        indicator__code="enterprise_rd_expense", period=ANNUAL).values_list("region_id", "year", "value")}
    hnte_by = {(r, y): v for r, y, v in IndicatorValue.objects.filter(
        indicator__code="hnte_total", period=ANNUAL).values_list("region_id", "year", "value")}
    for leaf in leaves:
        intensity = rng.uniform(2.0, 3.4)
        uplift = rng.uniform(1.15, 1.45)
        base_gdp = None
        for year in YEARS:
            firms_rd = float(rd_by.get((leaf.code, year), 0) or 0)
            hnte = float(hnte_by.get((leaf.code, year), 0) or 0)
            intensity_y = max(1.2, intensity + rng.uniform(-0.15, 0.2) + 0.04 * (year - YEARS[0]))
            rd = max(firms_rd * uplift, rng.uniform(3, 8))
            gdp = rd / intensity_y * 100
            base_gdp = base_gdp or gdp
            industrial = gdp * rng.uniform(0.22, 0.38)
            annual = {
                "rd_expenditure": rd, "gdp": gdp, "industrial_value_added": industrial,
                "hightech_value_added": industrial * rng.uniform(0.42, 0.66),
                "hightech_value_added_growth": rng.uniform(-3.0, 14.0),
                "new_product_rate": rng.uniform(18, 42), "fiscal_st_share": rng.uniform(2.5, 7.5),
                "tech_contract_count": round(hnte * rng.uniform(1.5, 3.5) + rng.uniform(20, 80)),
                "tech_contract_turnover": gdp * rng.uniform(0.03, 0.08),
                "voucher_issued": hnte * rng.uniform(3, 8) + 50, "tech_loan_amount": gdp * rng.uniform(0.01, 0.03),
                "tech_credit_amount": gdp * rng.uniform(0.02, 0.05),
                "maker_spaces_national": rng.randrange(0, 4), "maker_spaces_provincial": rng.randrange(1, 9),
                "incubators_national": rng.randrange(0, 3), "incubators_provincial": rng.randrange(1, 7),
                "rd_institutions_provincial": rng.randrange(3, 30), "rd_institutions_municipal": rng.randrange(8, 60),
                "foreign_work_permits": rng.randrange(5, 160), "local_conversion_rate": rng.uniform(30, 65),
            }
            annual["tech_transaction_value"] = annual["tech_contract_turnover"] * rng.uniform(0.6, 0.85)
            annual["tech_output_value"] = annual["tech_contract_turnover"] * rng.uniform(0.7, 1.0)
            annual["tech_absorbed_value"] = annual["tech_contract_turnover"] * rng.uniform(0.6, 1.3)
            annual["voucher_redeemed"] = annual["voucher_issued"] * rng.uniform(0.55, 0.9)
            for code, value in annual.items():
                out[(code, year, ANNUAL)][leaf.code] = _money(value)
                if code in quarterly:
                    for quarter, share in QUARTER_SHARE.items():
                        if code.endswith("growth"):
                            figure = value + rng.uniform(-1.5, 1.5)
                        else:
                            figure = value * share * rng.uniform(0.95, 1.05)
                        out[(code, year, quarter)][leaf.code] = _money(figure)
    for (code, _year, _period), figures in out.items():
        if code not in additive:
            continue
        parts = dict(figures)
        for top in tops:
            figures[top.code] = sum((v for k, v in parts.items() if k.startswith(top.prefix)), Decimal(0))
    return out


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(D2)


KEY_GROWTH = {"rd_expenditure": (1.06, 1.14), "hnte_total": (1.05, 1.15), "hnte_new": (0.95, 1.3),
              "tsme_registered": (1.0, 1.25), "tech_contract_turnover": (1.08, 1.2),
              "hightech_value_added": (1.05, 1.12)}
RATIO_TARGETS = {"rd_intensity": (0.05, 0.2), "hightech_share": (0.5, 2.0)}


def _targets(rng: random.Random, city: Region, districts: list[Region]) -> None:
    """Targets for 2024: last year's figure raised; the city's additive targets are the sum of the districts',
    except `tsme_registered`, deliberately left 3 % above the sum so the target page shows its warning."""
    for code, (low, high) in KEY_GROWTH.items():
        indicator = Indicator.objects.get(code=code)
        total = Decimal(0)
        for district in districts:
            base = _value(code, CURRENT - 1, district.code)
            if base is None:
                continue
            value = (base * Decimal(str(rng.uniform(low, high)))).quantize(Decimal("1") if indicator.decimals == 0
                                                                           else D2)
            Target(indicator=indicator, region=district, year=CURRENT, value=value, note=MARKER).save()
            total += value
        if code == "tsme_registered":
            total = (total * Decimal("1.03")).quantize(Decimal("1"))
        Target(indicator=indicator, region=city, year=CURRENT, value=total, note=MARKER).save()
    for code, (low, high) in RATIO_TARGETS.items():
        indicator = Indicator.objects.get(code=code)
        for region in [city, *districts]:
            base = _value(code, CURRENT - 1, region.code)
            if base is not None:
                Target(indicator=indicator, region=region, year=CURRENT, note=MARKER,
                       value=(base + Decimal(str(rng.uniform(low, high)))).quantize(D2)).save()


SCHEME = (("rd_intensity", "20"), ("rd_expenditure", "15"), ("hnte_total", "15"), ("hnte_new", "15"),
          ("tsme_registered", "10"), ("tech_contract_turnover", "15"), ("hightech_share", "10"))


def _scheme(city: Region) -> AssessmentScheme:
    scheme = AssessmentScheme(code=f"district-{CURRENT}", name="区（县）科技创新工作考核", year=CURRENT, region=city,
                              red_count=3, black_count=3, black_rule=BlackRule.BOTTOM_N,
                              description="演示考核办法：各项完成率按权重加总，单项完成率封顶 120%。")
    scheme.save()
    for code, weight in SCHEME:
        SchemeItem(scheme=scheme, indicator=Indicator.objects.get(code=code), weight=Decimal(weight)).save()
    return scheme


def _rounds(rng: random.Random, city: Region) -> None:
    """A closed Q3 round (all accepted) and an open Q4-style annual round in every state."""
    from kechuang.accounts.models import User

    officer = User.objects.filter(username="city_officer").first()
    indicators = list(Indicator.objects.filter(code__in=("tech_contract_count", "tech_contract_turnover",
                                                         "foreign_work_permits")))
    rounds = []
    for name, period, deadline in ((f"{CURRENT}年1—9月技术市场与人才数据采集", "Q3", date(CURRENT, 10, 15)),
                                   (f"{CURRENT + 1}年1—3月技术市场与人才数据采集", "Q1", date(CURRENT + 1, 4, 15))):
        rounds.append(collection.open_round(name=name, region=city, year=int(name[:4]), period=period,
                                            indicators=indicators, deadline=deadline, actor=officer))
    closed, current = rounds
    states = (SubmissionStatus.ACCEPTED, SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED,
              SubmissionStatus.DRAFT)
    for submission in closed.submissions.select_related("region"):
        _fill(submission, rng, SubmissionStatus.ACCEPTED, officer)
    collection.close_round(closed, actor=officer)
    for index, submission in enumerate(current.submissions.select_related("region")):
        _fill(submission, rng, states[index % len(states)], officer)


def _fill(submission: Submission, rng: random.Random, state: str, officer: Any) -> None:
    actor = officer
    collection_round = submission.collection_round
    previous = collection.previous_figures(submission)
    figures, explanations = {}, {}
    for indicator in collection_round.indicators.all():
        base = previous.get(indicator.pk) or Decimal(rng.randrange(20, 200))
        value = base * Decimal(str(rng.uniform(0.9, 1.2)))
        figures[indicator.pk] = value.quantize(Decimal("1") if indicator.decimals == 0 else D2)
        explanations[indicator.pk] = ""
    collection.save_draft(submission, figures, explanations, actor=actor)
    if state == SubmissionStatus.DRAFT:
        return
    collection.submit(submission, actor=actor)
    if state in (SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED):
        collection.review(submission, accept=state == SubmissionStatus.ACCEPTED, actor=actor,
                          note="" if state == SubmissionStatus.ACCEPTED else "技术合同成交额与登记系统不一致，请核对后重报。")
