"""Indicators (issue 5, "Speed"): computing the computed indicators of a province, the leader dashboard, and a
red/black list over a province's counties.

Issue 5, "Speed (bench)": "On the `province` demo dataset: computing every computed indicator for every region
and the current year ≤ 2 × a baseline of the equivalent hand-written SQL aggregate queries run in the same
process; the leader dashboard p95 ≤ 500 ms server time; a red/black list over all regions of the province for a
10-indicator scheme ≤ 1 s."

- Data (bulk SQL, no ORM, no change log): the national regions plus Nanjing's streets; 500,000 enterprises over
  Jiangsu's leaves (15 % in Nanjing's streets, the rest over the other counties); annual figures (employees,
  R&D staff, sales, main revenue, R&D expense; a few missing) for the three data years before this one; a 高企
  (hnte) certificate for 30 % (granted in the last four years) and a 科小 (tsme) entry for 20 % (the last two
  years). ANALYZE afterwards.
- `indicators_compute`: `compute_indicators(year=<last year>, region_code="32", as_of=today,
  codes=<every registered computation>)` — the service as the command runs it: the six GROUP BYs, the roll-up
  into every region of the province (province, cities, counties, Nanjing's streets), and the write of every
  figure with its change-log row (the stored values are deleted before each run, untimed, so every run
  creates them all). Baseline: the same six aggregates as hand-written SQL (one GROUP BY by region code per
  indicator, joined to the enterprise for its region), the region list, and a plain Python sum of each leaf
  into its ancestors (ratios as ratios of sums) — nothing written. `RUNS` runs each, interleaved; the figure
  is the best of each side. Checked: both sides give the same figure for every region and indicator.
- `indicators_dashboard_p95`: reported values (every reported indicator of the catalogue: quarterly Q1—Q3 and
  the year where the catalogue says quarter, the year otherwise) for every region of the province for six
  years up to this one (this year: the quarters that have ended), consistent up the tree (a sum indicator's
  city figure is the sum of its counties'); then `compute_indicators` for every year and period (computed and
  derived figures); targets of this year for the province, its cities and counties; one published red/black
  list (the scheme below, over the counties). A leader (局领导) scoped to the province asks for the dashboard
  (`indicators:dashboard`, no parameters: the default year and date) through django.test.Client, `WARMUP`
  times untimed, then `REQUESTS` times timed: the whole request in-process (middleware, view, template).
  Baseline = the issue's absolute 500 ms budget (a constant). The p95 of a leader of Nanjing (whose children
  are districts) is printed for context.
- `indicators_redblack`: `build_list(year=<this year>, as_of=today, scheme=<10-indicator scheme>,
  level="county", user=<the province leader>)` over every county-level region of the province; the median of
  `REDBLACK_RUNS` runs after one warm-up. Baseline = the issue's absolute 1 s budget (a constant).
"""

from __future__ import annotations

import cProfile
import io
import math
import os
import pstats
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from benchdata import (
    Stopwatch,
    analyze,
    bulk_insert,
    insert_enterprises,
    insert_qualifications,
    interleaved,
    leaf_regions,
    nanjing_heavy_regions,
)

TOTAL = 500_000
NANJING_SHARE = 0.15
HNTE_SHARE, TSME_SHARE = 0.30, 0.20
PROVINCE = "320000000000"
CITY = "320100000000"
RUNS = 3
TREND_YEARS = 6
WARMUP, REQUESTS = 5, 50
REDBLACK_RUNS = 10
DASHBOARD_BUDGET_MS = 500.0
REDBLACK_BUDGET_S = 1.0
QUARTERS = ("Q1", "Q2", "Q3", "")  # Q4 is the year (cumulative periods)
QUARTER_SHARE = {"Q1": 0.22, "Q2": 0.47, "Q3": 0.73, "": 1.0}
SCHEME_CODES = ("hnte_total", "hnte_new", "tsme_registered", "tech_contract_turnover", "tech_transaction_value",
                "tech_contract_count", "hightech_value_added", "hightech_share", "tech_loan_amount",
                "foreign_work_permits")
# Province totals of a year (this year − 1) for the additive reported indicators, in their units; the leaves
# share them by size. Indicators not named get 1,000.
TOTALS = {"gdp": 130_000, "rd_expenditure": 3_900, "hightech_value_added": 21_600,
          "industrial_value_added": 45_000, "tech_contract_count": 80_000, "tech_contract_turnover": 4_000,
          "tech_transaction_value": 1_500, "voucher_issued": 50_000, "voucher_redeemed": 35_000,
          "tech_loan_amount": 3_000, "tech_credit_amount": 5_000, "maker_spaces_national": 200,
          "maker_spaces_provincial": 900, "incubators_national": 250, "incubators_provincial": 800,
          "rd_institutions_provincial": 3_000, "rd_institutions_municipal": 8_000, "foreign_work_permits": 12_000}
PROFILE = os.environ.get("KECHUANG_BENCH_PROFILE") == "1"  # print cProfile of each measured call


def p95(samples: list[float]) -> float:
    """Return the nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def profiled(label: str, fn: Any) -> None:
    """Run `fn` once under cProfile and print the top of the cumulative and own-time tables."""
    profile = cProfile.Profile()
    profile.enable()
    fn()
    profile.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(30)
        print(f"   --- profile of {label}, by {order} ---\n{out.getvalue()}", flush=True)


# --- the enterprise data set -----------------------------------------------------------------------------------


def build_enterprises(today: date, data_years: tuple[int, ...]) -> list[str]:
    """Load regions, enterprises, their annual figures and qualifications; return the leaf region codes."""
    from kechuang.enterprises.models import Enterprise, EnterpriseYear, QualificationKind
    from kechuang.enterprises.services import ensure_builtin_kinds

    watch = Stopwatch("indicators")
    rng = random.Random(5)
    regions, streets, counties = nanjing_heavy_regions(rng, TOTAL, NANJING_SHARE)
    leaves = leaf_regions("32")
    insert_enterprises(regions, seed=6)
    del regions
    watch.lap(f"{TOTAL:,} enterprises over {streets} Nanjing streets and {counties} other counties")

    ids = list(Enterprise._base_manager.order_by("pk").values_list("pk", flat=True))

    def years() -> Iterator[tuple[Any, ...]]:
        r = random.Random(8).random
        for pk in ids:
            employees = 5 + int(math.exp(r() * 7))
            staff_share = 0.02 + r() * 0.3
            sales = math.exp(math.log(300) + r() * 5)  # 300 … 44,000 万元
            rd_share = 0.005 + r() * 0.07
            for year in data_years:
                scale = 1.07 ** (year - data_years[-1]) * (0.95 + r() * 0.1)
                staff = max(5, int(employees * scale))
                revenue = sales * scale
                rd = None if r() < 0.02 else f"{revenue * rd_share:.2f}"
                main = None if r() < 0.03 else f"{revenue * (0.8 + r() * 0.2):.2f}"
                yield (pk, year, staff, int(staff * staff_share), f"{revenue:.2f}", main, rd, "bench")

    rows = bulk_insert(EnterpriseYear, ("enterprise_id", "year", "employees", "rd_staff", "sales_revenue",
                                        "main_revenue", "rd_expense", "source"), years())
    watch.lap(f"{rows:,} annual rows ({data_years[0]}–{data_years[-1]})")
    ensure_builtin_kinds(actor=None)
    kinds = {kind.code: kind for kind in QualificationKind.objects.all()}
    rng.shuffle(ids)
    hnte, tsme = int(TOTAL * HNTE_SHARE), int(TOTAL * TSME_SHARE)
    insert_qualifications(ids[:hnte], kinds["hnte"], today=today, max_age_days=4 * 365, prefix="GR", seed=11)
    insert_qualifications(ids[hnte:hnte + tsme], kinds["tsme"], today=today, max_age_days=2 * 365, prefix="TS",
                          seed=12)
    analyze()
    watch.lap(f"{hnte:,} hnte + {tsme:,} tsme qualifications, ANALYZE")
    return leaves


# --- the baseline: hand-written GROUP BYs and a plain roll-up ------------------------------------------------

_IN_FORCE = ("q.valid_from <= %s AND (q.valid_to IS NULL OR q.valid_to >= %s) AND NOT (q.status IN "
             "('revoked', 'cancelled') AND (q.status_changed_on IS NULL OR q.status_changed_on <= %s))")
_COUNT = ("SELECT e.region_id, COUNT(DISTINCT q.enterprise_id) FROM enterprises_qualification q "
          "JOIN enterprises_enterprise e ON e.id = q.enterprise_id WHERE q.kind_id = %s AND {where} "
          "GROUP BY e.region_id")
_SUM = ("SELECT e.region_id, SUM(y.{a}){b} FROM enterprises_enterpriseyear y "
        "JOIN enterprises_enterprise e ON e.id = y.enterprise_id WHERE y.year = %s AND y.{a} IS NOT NULL{nn} "
        "GROUP BY e.region_id")


def _sum_sql(numerator: str, denominator: str | None) -> str:
    if denominator is None:
        return _SUM.format(a=numerator, b="", nn="")
    return _SUM.format(a=numerator, b=f", SUM(y.{denominator})", nn=f" AND y.{denominator} IS NOT NULL")


def baseline_compute(year: int, on: date, kinds: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Return {indicator code: {region code: figure}} for every region of the province (not stored)."""
    from django.db import connection

    start, hundred, ten_thousandth = date(year, 1, 1), Decimal(100), Decimal("0.0001")
    queries = {  # code: (sql, params, scale)
        "hnte_total": (_COUNT.format(where=_IN_FORCE), [kinds["hnte"], on, on, on], None),
        "hnte_new": (_COUNT.format(where="q.granted_on >= %s AND q.granted_on <= %s"), [kinds["hnte"], start, on],
                     None),
        "tsme_registered": (_COUNT.format(where="q.granted_on >= %s AND q.granted_on <= %s"),
                            [kinds["tsme"], start, on], None),
        "enterprise_rd_expense": (_sum_sql("rd_expense", None), [year], ten_thousandth),
        "enterprise_rd_ratio": (_sum_sql("rd_expense", "main_revenue"), [year], hundred),
        "rd_staff_share": (_sum_sql("rd_staff", "employees"), [year], hundred),
    }
    result: dict[str, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, level FROM regions_region WHERE code >= %s AND code <= %s AND level <> %s",
                       ["320000000000", "329999999999", "village"])
        digits = {"province": 2, "city": 4, "county": 6, "township": 9}
        regions = [(code, digits[level]) for code, level in cursor.fetchall()]
        for code, (sql, params, scale) in queries.items():
            cursor.execute(sql, params)
            numerators: dict[str, Any] = defaultdict(int)
            denominators: dict[str, Any] = defaultdict(int)
            for row in cursor.fetchall():
                leaf = row[0]
                for prefix in (leaf[:2], leaf[:4], leaf[:6], leaf[:9]):
                    numerators[prefix] += row[1]
                    if len(row) > 2:
                        denominators[prefix] += row[2]
            figures: dict[str, Any] = {}
            ratio = code in ("enterprise_rd_ratio", "rd_staff_share")
            for region, significant in regions:
                prefix = region[:significant]
                numerator = numerators.get(prefix, 0)
                if isinstance(numerator, float):  # SQLite sums money as REAL
                    numerator = Decimal(numerator)
                if ratio:
                    denominator = denominators.get(prefix)
                    figures[region] = numerator / Decimal(denominator) * scale if denominator else None
                else:
                    figures[region] = numerator * scale if scale else numerator
            result[code] = figures
    return result


def check_same(year: int, expected: dict[str, dict[str, Any]]) -> int:
    """Assert the stored figures of `year` are the baseline's (to 1e-6 relative); return how many compared."""
    from kechuang.indicators.models import IndicatorValue

    stored: dict[tuple[str, str], Decimal] = {
        (code, region): value for code, region, value in IndicatorValue.objects.filter(
            year=year, period="", indicator__code__in=list(expected)).values_list(
            "indicator__code", "region_id", "value")}
    compared = 0
    for code, figures in expected.items():
        for region, figure in figures.items():
            value = stored.get((code, region))
            if figure is None:
                assert value is None, (code, region, value)
                continue
            assert value is not None, (code, region, figure)
            assert abs(float(value) - float(figure)) <= max(1e-6 * abs(float(figure)), 1e-4), (
                code, region, value, figure)
            compared += 1
    return compared


# --- the indicator data set (dashboard, red/black list) -------------------------------------------------------


def build_indicator_values(leaves: list[str], today: date, years: list[int]) -> int:
    """Store the reported figures of every region of the province for `years` (bulk SQL); return the count."""
    from kechuang.indicators.choices import Aggregation, IndicatorKind
    from kechuang.indicators.models import Indicator, IndicatorValue
    from kechuang.indicators.periods import period_end
    from kechuang.regions.models import Region

    rng = random.Random(21)
    regions = list(Region.objects.filter(code__gte="320000000000", code__lte="329999999999")
                   .exclude(level="village").values_list("code", "level"))
    digits = {"province": 2, "city": 4, "county": 6, "township": 9}
    size = {leaf: math.exp(rng.gauss(0, 0.8)) for leaf in leaves}
    total_size = sum(size.values())
    reported = list(Indicator.objects.filter(kind=IndicatorKind.REPORTED))
    current = years[-1]

    def rows() -> Iterator[tuple[Any, ...]]:
        for indicator in reported:
            quarterly = indicator.frequency == "quarter"
            cumulative = indicator.cumulative
            integer = indicator.decimals == 0
            additive = indicator.aggregation == Aggregation.SUM
            total = TOTALS.get(indicator.code, 1_000)
            weight = {leaf: size[leaf] / total_size * rng.uniform(0.6, 1.4) for leaf in leaves}
            for year in years:
                growth = 1.07 ** (year - (current - 1)) * rng.uniform(0.97, 1.03)
                for period in QUARTERS if quarterly else ("",):
                    end = period_end(year, period)
                    if end > today:
                        continue
                    share = QUARTER_SHARE[period] if cumulative else 1.0
                    if additive:
                        leaf_values = {leaf: total * w * growth * share * rng.uniform(0.95, 1.05)
                                       for leaf, w in weight.items()}
                        if integer:
                            leaf_values = {leaf: round(v) for leaf, v in leaf_values.items()}
                        sums: dict[str, float] = defaultdict(float)
                        for leaf, v in leaf_values.items():
                            for n in (2, 4, 6, 9):
                                sums[leaf[:n]] += v
                        figures = {code: sums.get(code[:digits[level]], 0) for code, level in regions}
                    elif indicator.unit == "%":
                        figures = {code: rng.uniform(2, 60) for code, _level in regions}
                    else:
                        figures = {code: rng.uniform(1, 200) for code, _level in regions}
                    for code, value in figures.items():
                        text = f"{value:.0f}" if integer else f"{value:.4f}"
                        yield (indicator.pk, code, year, period, text, end.isoformat(), "imported")

    return bulk_insert(IndicatorValue, ("indicator_id", "region_id", "year", "period", "value", "as_of", "origin"),
                       rows())


def build_targets(year: int) -> int:
    """Targets of `year` for the province, its cities and counties: last year's annual figure + 8 % (a ratio:
    + 0.3 points), for every key indicator and every indicator of the scheme."""
    from kechuang.indicators.models import Indicator, IndicatorValue, Target

    wanted = set(Indicator.objects.filter(is_key=True).values_list("code", flat=True)) | set(SCHEME_CODES)
    indicators = {i.pk: i for i in Indicator.objects.filter(code__in=wanted)}
    # A list, read before the COPY starts: a query on the connection while it copies would wait forever.
    rows = list(IndicatorValue.objects.filter(indicator_id__in=list(indicators), year=year - 1, period="",
                                              region__level__in=("province", "city", "county"),
                                              region_id__gte="320000000000", region_id__lte="329999999999",
                                              ).values_list("indicator_id", "region_id", "value"))

    def targets() -> Iterator[tuple[Any, ...]]:
        for indicator_id, region, value in rows:
            indicator = indicators[indicator_id]
            target = value + Decimal("0.3") if indicator.is_percentage else value * Decimal("1.08")
            yield (indicator_id, region, year, "", f"{target:.4f}")

    return bulk_insert(Target, ("indicator_id", "region_id", "year", "period", "value"), targets())


def build_scheme(year: int) -> Any:
    from kechuang.indicators.models import AssessmentScheme, Indicator, SchemeItem

    scheme = AssessmentScheme.objects.create(code="bench", name="科技创新考核办法（基准测试）", year=year,
                                             region_id=PROVINCE, red_count=5, black_count=5)
    for n, code in enumerate(SCHEME_CODES):
        SchemeItem.objects.create(scheme=scheme, indicator=Indicator.objects.get(code=code),
                                  weight=Decimal(15 - n))
    return scheme


def leader(username: str, region: str) -> Any:
    from kechuang.accounts.models import RoleAssignment, User
    from kechuang.accounts.roles import Role

    user = User.objects.create_user(username=username, password=None)
    RoleAssignment.objects.create(user=user, role=Role.LEADER, region_id=region)
    return user


# --- the benchmark ---------------------------------------------------------------------------------------------


def run(ctx: Any) -> None:
    names = ("indicators_compute", "indicators_dashboard_p95", "indicators_redblack")
    if not any(ctx.wants(name) for name in names):
        return
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from kechuang.enterprises.models import QualificationKind
    from kechuang.indicators.computations import registered_codes
    from kechuang.indicators.models import IndicatorValue
    from kechuang.indicators.periods import period_end
    from kechuang.indicators.redblack import build_list, publish_list
    from kechuang.indicators.services import compute_indicators

    today = timezone.localdate()
    current = today.year
    data_year = current - 1  # the latest year with annual enterprise figures
    leaves = build_enterprises(today, (data_year - 2, data_year - 1, data_year))
    watch = Stopwatch("indicators")
    codes = registered_codes()
    regions = len(leaves)

    # --- 1. compute ----------------------------------------------------------------------------------------
    if ctx.wants("indicators_compute"):
        kinds = dict(QualificationKind.objects.values_list("code", "pk"))
        on = min(period_end(data_year), today)

        def clear() -> None:
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(IndicatorValue._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")

        summaries: list[Any] = []
        expected: dict[str, dict[str, Any]] = {}

        def value() -> None:
            summaries.append(compute_indicators(year=data_year, region_code="32", as_of=today, codes=codes))

        def baseline() -> None:
            expected.update(baseline_compute(data_year, on, kinds))

        value_times, base_times = interleaved(
            value, baseline, RUNS, before=clear,
            lap=lambda i, v, b: watch.lap(f"compute run {i}: service {v:.2f} s, baseline {b:.2f} s"))
        summary = summaries[-1]
        regions = summary.regions
        compared = check_same(data_year, expected)
        assert summary.created == compared, (summary, compared)
        start = time.perf_counter()
        again = compute_indicators(year=data_year, region_code="32", as_of=today, codes=codes)
        recompute = time.perf_counter() - start
        assert again.unchanged == summary.created, again
        print(f"   compute: {summary.regions} regions × {len(summary.indicators)} indicators, "
              f"{summary.created:,} figures created, all equal to the baseline's ({compared:,} compared); "
              f"recompute with nothing changed {recompute:.2f} s", flush=True)
        if PROFILE:
            clear()
            profiled("compute_indicators", value)
        ctx.record("indicators_compute", value=min(value_times), baseline=min(base_times), target_ratio=2.0,
                   unit="s", dataset=f"compute_indicators(year={data_year}, region_code=32, codes={len(codes)} "
                                     f"computed) over {TOTAL:,} Jiangsu enterprises (3 years of figures, "
                                     f"{HNTE_SHARE:.0%} hnte, {TSME_SHARE:.0%} tsme), {summary.regions} regions, "
                                     f"{summary.created:,} figures written with their change log; baseline = "
                                     f"{len(codes)} hand-written GROUP BY queries + a plain Python roll-up, "
                                     f"nothing written; best of {RUNS}, interleaved")

    if not (ctx.wants("indicators_dashboard_p95") or ctx.wants("indicators_redblack")):
        return

    # --- the indicator data set ------------------------------------------------------------------------------
    years = list(range(current - TREND_YEARS + 1, current + 1))
    stored = build_indicator_values(leaves, today, years)
    watch.lap(f"{stored:,} reported values ({years[0]}–{years[-1]})")
    computed = 0
    for year in years:
        for period in QUARTERS:
            if period and period_end(year, period) > today:
                continue
            result = compute_indicators(year=year, period=period, region_code="32", as_of=today)
            computed += result.created + result.updated
    analyze()
    watch.lap(f"compute_indicators for {len(years)} years × their periods: {computed:,} computed and derived")
    targets = build_targets(current)
    scheme = build_scheme(current)
    province_leader = leader("bench_province_leader", PROVINCE)
    city_leader = leader("bench_city_leader", CITY)
    lines = build_list(year=current, as_of=today, scheme=scheme, level="county", user=None)
    published = publish_list(title=f"{current}年科技创新考核红黑榜（基准测试）", lines=lines, year=current, as_of=today,
                             region=scheme.region, scheme=scheme, actor=None)
    total_values = IndicatorValue.objects.count()
    analyze()
    watch.lap(f"{targets:,} targets, a 10-indicator scheme, a published list of {published.entries.count()} "
              f"counties; {total_values:,} stored values")

    # --- 2. dashboard ------------------------------------------------------------------------------------------
    if ctx.wants("indicators_dashboard_p95"):
        url = reverse("indicators:dashboard")

        def timed(user: Any) -> list[float]:
            client = Client()
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            page = response.content.decode()
            assert "红黑榜" in page or published.title in page, "the dashboard does not show the red/black list"
            for _ in range(WARMUP - 1):
                assert client.get(url).status_code == 200
            samples = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                status = client.get(url).status_code
                samples.append((time.perf_counter() - start) * 1000)
                assert status == 200, status
            if PROFILE:
                profiled("the dashboard request", lambda: client.get(url))
            return samples

        province = timed(province_leader)
        city = timed(city_leader)
        watch.lap(f"{2 * (WARMUP + REQUESTS)} dashboard requests")
        print(f"   dashboard, province leader: p95 {p95(province):.0f} ms, median {statistics.median(province):.0f} ms; "
              f"Nanjing leader: p95 {p95(city):.0f} ms, median {statistics.median(city):.0f} ms", flush=True)
        ctx.record("indicators_dashboard_p95", value=p95(province), baseline=DASHBOARD_BUDGET_MS, target_ratio=1.0,
                   unit="ms", dataset=f"p95 of {REQUESTS} requests to the leader dashboard (indicators:dashboard, "
                                      f"default year {current}) as a province leader; {total_values:,} stored "
                                      f"values over {regions} regions × {len(years)} years, {targets:,} targets, "
                                      f"a published list; baseline = the issue's absolute "
                                      f"{DASHBOARD_BUDGET_MS:.0f} ms budget (Nanjing leader p95 {p95(city):.0f} ms)")

    # --- 3. red/black list -------------------------------------------------------------------------------------
    if ctx.wants("indicators_redblack"):
        def redblack() -> list[Any]:
            return build_list(year=current, as_of=today, scheme=scheme, level="county", user=province_leader)

        lines = redblack()
        assert len(lines) == published.entries.count(), (len(lines), published.entries.count())
        assert sum(1 for line in lines if line.score is not None) > len(lines) // 2, "most counties have no score"
        samples = []
        for _ in range(REDBLACK_RUNS):
            start = time.perf_counter()
            redblack()
            samples.append(time.perf_counter() - start)
        if PROFILE:
            profiled("build_list", redblack)
        print(f"   red/black list over {len(lines)} counties: median {statistics.median(samples):.3f} s, "
              f"best {min(samples):.3f} s, worst {max(samples):.3f} s", flush=True)
        ctx.record("indicators_redblack", value=statistics.median(samples), baseline=REDBLACK_BUDGET_S,
                   target_ratio=1.0, unit="s",
                   dataset=f"build_list(scheme of {len(SCHEME_CODES)} indicators, year {current}, level=county) "
                           f"over the {len(lines)} county-level regions of Jiangsu as the province leader; median "
                           f"of {REDBLACK_RUNS}; baseline = the issue's absolute {REDBLACK_BUDGET_S:g} s budget")
