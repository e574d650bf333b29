"""Screen `tech_sme` and `hnte` for every enterprise of a province for one data year, versus a plain loop.

Issue 4, "Speed": "Screening `tech_sme` and `hnte` for every enterprise of the `province` demo dataset (≈ 500,000)
for one year, on PostgreSQL, including building facts from the database: ≤ 2 × a baseline that fetches the same
columns with one raw SQL query and scores them with a plain Python loop, measured in the same run; peak memory
≤ 2 GB."

- Data (bulk SQL, no ORM, no change log): the national regions; 500,000 enterprises (`BENCH_SCREENING_TOTAL`
  sets a smaller number while iterating; the issue's figure is at 500,000) over Jiangsu's counties with
  registration dates, industries and high-tech fields; annual figures for 2022–2024 drawn around the rules'
  edges (500 staff, 2亿 sales and assets, science staff 10 %–30 %, R&D 2 %–6 % of sales, 60 % domestic R&D and
  high-tech income…) — a few enterprises are younger (two years of data) and 3 % have no 2024 row; a 高企
  (hnte) certificate for 30 % (granted in the four years before the assessment date, so about three quarters
  are in force) and a 科小 (tsme) entry for 20 % (granted in the 17 months before it; only this year's are in
  force). ANALYZE afterwards.
- Value: `run_screenings(["tech_sme", "hnte"], region="32", year=2024, as_of=2025-06-01, actor=None)` — the
  whole service: the registry read (four id-ordered queries per id slice, each an index range scan), every
  enterprise's facts, then per programme the *triage* (`kechuang/eligibility/triage.py`: plain comparisons on the
  dated parameters, and the engine's own shortfall functions for the gaps it must price) for every enterprise: it
  decides every category with the numbers an entry stores (verdict, score, failed count, normalised shortfall,
  missing count) — proven equal to the full engine by `tests/test_triage.py`; the full engine runs only for facts
  holding expert picks, which the registry never does (none here). Then categories and ranks, and the write of
  both runs with their entries (candidate / reserve / at-risk / undetermined, each with its numbers and the facts
  used; COPY into a table without database foreign keys, decision 0011 part 4) and events. The entries' Chinese
  texts are *not* written: they are worded from the stored facts when an entry is shown or exported (decision
  0011, "Texts on display"), so they are not part of this figure. On PostgreSQL outside a transaction the service
  forks one process per core (two here), each taking id slices (four per process) as it is free; their kept
  outcomes come back as COPY text; the baseline is one process, as a plain loop is.
- Baseline: one raw SQL query (enterprises ⟕ their 2022–2024 rows ⟕ their qualification codes valid on the
  date, ordered by enterprise and year) fetching the same columns, and a plain Python loop that scores both
  programmes' main conditions — 科小: size limits, excluded industries, the 100-point table with the better
  R&D ratio, the 高企 direct route; 高企: one year registered, field, science staff ≥ 10 %, the 3-year R&D
  ratio by the latest sales band, 60 % domestic R&D, 60 % high-tech income — and counts holders, candidates
  and the rest. No texts, no shortfalls, nothing written.
- Both sides run `RUNS` times interleaved (the runs of the service are deleted in between, untimed); the
  figure is the best run of each. Checked: both sides see every enterprise, and the service's tech_sme
  candidates + holders are the baseline's tech_sme "meets" count (the two agree on that programme exactly).
- Memory: `screening_peak_rss` is the largest resident set of the service — sampled every 20 ms in this
  process, and the forked workers' own peaks — against the issue's 2 GB budget.
"""

from __future__ import annotations

import datetime
import math
import os
import random
import resource
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from benchdata import (
    RssSampler,
    Stopwatch,
    analyze,
    bulk_insert,
    insert_qualifications,
    interleaved,
    leaf_regions,
    load_national_regions,
)

TOTAL = int(os.environ.get("BENCH_SCREENING_TOTAL", "500000"))  # smaller while iterating; report at 500,000
YEARS = (2022, 2023, 2024)
DATA_YEAR = 2024
AS_OF = datetime.date(2025, 6, 1)
HNTE_SHARE, TSME_SHARE = 0.30, 0.20
RUNS = 2
MEMORY_BUDGET_MB = 2048.0
INDUSTRIES = (("39", "C"), ("65", "I"), ("27", "C"), ("34", "C"), ("38", "C"), ("73", "M"), ("51", "F"),
              ("70", "K"))
FIGURES = ("employees", "tech_staff", "sales_revenue", "total_income", "hightech_income", "rd_expense",
           "rd_expense_domestic", "total_cost", "total_assets", "liabilities", "net_assets", "ip_class1",
           "ip_class2", "results_converted", "standards_led")


# --- the data set ---------------------------------------------------------------------------------------------


def build() -> None:
    from kechuang.enterprises.models import Enterprise, EnterpriseYear, QualificationKind
    from kechuang.enterprises.services import ensure_builtin_kinds
    from kechuang.enterprises.testing import make_uscc

    watch = Stopwatch("screening")
    rng = random.Random(4)
    load_national_regions()
    counties = leaf_regions("32")
    profiles = [_profile(rng) for _ in range(TOTAL)]

    def enterprises() -> Iterator[tuple[Any, ...]]:
        for i, profile in enumerate(profiles):
            industry, section = profile["industry"]
            yield (make_uscc(i + 1, "320000"), f"筛选测试企业{i + 1:07d}", rng.choice(counties),
                   profile["registered_on"].isoformat(), industry, section, profile["field"], "unlisted")

    bulk_insert(Enterprise, ("uscc", "name", "region_id", "registered_on", "industry_code", "industry_section",
                             "hightech_field", "listing_status"), enterprises())
    watch.lap(f"{TOTAL:,} enterprises")
    ids = list(Enterprise._base_manager.order_by("pk").values_list("pk", flat=True))
    rows = bulk_insert(EnterpriseYear, ("enterprise_id", "year", *FIGURES, "source"), _annual_rows(ids, profiles))
    watch.lap(f"{rows:,} annual rows")
    ensure_builtin_kinds(actor=None)
    kinds = {kind.code: kind for kind in QualificationKind.objects.all()}
    rng.shuffle(ids)
    hnte, tsme = int(TOTAL * HNTE_SHARE), int(TOTAL * TSME_SHARE)
    insert_qualifications(ids[:hnte], kinds["hnte"], today=AS_OF, max_age_days=4 * 365, prefix="GR", seed=11)
    insert_qualifications(ids[hnte:hnte + tsme], kinds["tsme"], today=AS_OF, max_age_days=520, prefix="TS", seed=12)
    analyze()
    watch.lap(f"{hnte:,} hnte + {tsme:,} tsme qualifications, ANALYZE")


def _profile(rng: random.Random) -> dict[str, Any]:
    """One enterprise's shape: size, ratios near the rules' edges, age and field."""
    young = rng.random() < 0.05
    return {
        "registered_on": datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(540)) if young else
        datetime.date(1998, 1, 1) + datetime.timedelta(days=rng.randrange(8400)),
        "industry": rng.choice(INDUSTRIES), "field": rng.choice("12345678") if rng.random() < 0.85 else "",
        "employees": max(5, int(math.exp(rng.gauss(math.log(180), 0.8)))), "staff": rng.uniform(0.04, 0.36),
        "sales": math.exp(rng.uniform(math.log(600), math.log(40_000))), "rd": rng.uniform(0.012, 0.075),
        "domestic": rng.uniform(0.45, 1.0), "hightech": rng.uniform(0.35, 1.0), "assets": rng.uniform(0.5, 1.6),
        "growth": rng.uniform(0.85, 1.35), "class1": rng.choice((0, 0, 0, 1, 2)), "class2": rng.randrange(7),
        "converted": rng.randrange(6), "standards": rng.choice((0, 0, 1, 2)),
        "no_latest": rng.random() < 0.03,
    }


def _annual_rows(ids: list[int], profiles: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(9)
    for pk, p in zip(ids, profiles, strict=True):
        first = max(YEARS[0], p["registered_on"].year)
        for year in YEARS:
            if year < first or (year == DATA_YEAR and p["no_latest"]):
                continue
            scale = p["growth"] ** (year - DATA_YEAR) * rng.uniform(0.97, 1.03)
            employees = max(5, int(p["employees"] * scale))
            sales = round(p["sales"] * scale, 2)
            rd = round(sales * p["rd"] * rng.uniform(0.9, 1.1), 2)
            income = round(sales * rng.uniform(1.0, 1.08), 2)
            assets = round(sales * p["assets"], 2)
            liabilities = round(assets * rng.uniform(0.2, 0.8), 2)
            yield (pk, year, employees, int(employees * p["staff"]), f"{sales:.2f}", f"{income:.2f}",
                   f"{income * p['hightech']:.2f}", f"{rd:.2f}", f"{rd * p['domestic']:.2f}",
                   f"{sales * rng.uniform(0.6, 1.1):.2f}", f"{assets:.2f}", f"{liabilities:.2f}",
                   f"{assets - liabilities:.2f}", p["class1"], p["class2"], p["converted"], p["standards"], "bench")


# --- the baseline: one query, a plain loop ---------------------------------------------------------------------

BASELINE_SQL = """
SELECT e.id, e.registered_on, e.industry_section, e.industry_code, e.hightech_field, q.codes, y.year,
       y.employees, y.tech_staff, y.sales_revenue, y.total_income, y.hightech_income, y.rd_expense,
       y.rd_expense_domestic, y.total_cost, y.total_assets, y.liabilities, y.net_assets, y.ip_class1, y.ip_class2,
       y.results_converted, y.standards_led
FROM enterprises_enterprise e
LEFT JOIN enterprises_enterpriseyear y ON y.enterprise_id = e.id AND y.year BETWEEN %s AND %s
LEFT JOIN (SELECT q.enterprise_id, string_agg(k.code, ',') AS codes
           FROM enterprises_qualification q JOIN enterprises_qualificationkind k ON k.id = q.kind_id
           WHERE q.valid_from <= %s AND (q.valid_to IS NULL OR q.valid_to >= %s)
             AND NOT (q.status IN ('revoked', 'cancelled')
                      AND (q.status_changed_on IS NULL OR q.status_changed_on <= %s))
           GROUP BY q.enterprise_id) q ON q.enterprise_id = e.id
WHERE e.region_id >= %s AND e.region_id <= %s
ORDER BY e.id, y.year
"""

D = Decimal
STAFF_POINTS = ((D("0.30"), 20), (D("0.25"), 16), (D("0.20"), 12), (D("0.15"), 8), (D("0.10"), 4))
RD_SALES_POINTS = ((D("0.06"), 50), (D("0.05"), 40), (D("0.04"), 30), (D("0.03"), 20), (D("0.02"), 10))
RD_COST_POINTS = ((D("0.30"), 50), (D("0.25"), 40), (D("0.20"), 30), (D("0.15"), 20), (D("0.10"), 10))
CLASS2_POINTS = ((4, 24), (3, 18), (2, 12), (1, 6))
EXCLUDED = {"16", "H", "F", "K", "L", "90"}


def _points(x: Decimal, table: tuple[tuple[Any, int], ...]) -> int:
    for bound, points in table:
        if x >= bound:
            return points
    return 0


def baseline_screen(region: str) -> dict[str, dict[str, int]]:
    """Fetch with one raw query, score both programmes' main conditions in a plain loop; return the counts."""
    from django.db import connection

    low, high = region.ljust(12, "0"), region.ljust(12, "9")
    counts = {"tech_sme": dict.fromkeys(("meets", "holder", "other"), 0),
              "hnte": dict.fromkeys(("meets", "holder", "other"), 0)}
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, [YEARS[0], DATA_YEAR, AS_OF, AS_OF, AS_OF, low, high])
        group: list[tuple[Any, ...]] = []
        for row in cursor:
            if group and row[0] != group[0][0]:
                _score(group, counts)
                group = []
            group.append(row)
        if group:
            _score(group, counts)
    return counts


def _score(rows: list[tuple[Any, ...]], counts: dict[str, dict[str, int]]) -> None:
    first = rows[0]
    codes = (first[5] or "").split(",")
    latest = rows[-1] if rows[-1][6] == DATA_YEAR else None
    _count(counts["tech_sme"], "tsme" in codes, latest is not None and _tech_sme(first, latest, "hnte" in codes))
    _count(counts["hnte"], "hnte" in codes, latest is not None and _hnte(rows, latest))


def _count(counts: dict[str, int], holds: bool, meets: bool) -> None:
    counts["holder" if holds and meets else "meets" if meets else "other"] += 1


def _tech_sme(first: tuple[Any, ...], y: tuple[Any, ...], holds_hnte: bool) -> bool:
    employees, staff, sales, cost, assets, rd, class1, class2 = y[7], y[8], y[9], y[14], y[15], y[12], y[18], y[19]
    if employees > 500 or sales > 20000 or assets > 20000 or first[2] in EXCLUDED or first[3][:2] in EXCLUDED:
        return False
    if holds_hnte:
        return True
    staff_points = _points(D(staff) / D(employees), STAFF_POINTS)
    rd_points = max(_points(rd / sales, RD_SALES_POINTS) if sales else 0,
                    _points(rd / cost, RD_COST_POINTS) if cost else 0)
    ip_points = 30 if class1 >= 1 else _points(class2, CLASS2_POINTS)
    return staff_points > 0 and staff_points + rd_points + ip_points >= 60


def _hnte(rows: list[tuple[Any, ...]], y: tuple[Any, ...]) -> bool:
    first = rows[0]
    if first[1] is None or (AS_OF - first[1]).days < 365 or not first[4]:
        return False
    if D(y[8]) / D(y[7]) < D("0.10") or not y[10] or y[11] / y[10] < D("0.60"):
        return False
    sales = sum(r[9] for r in rows)
    rd = sum(r[12] for r in rows)
    domestic = sum(r[13] for r in rows)
    bound = D("0.05") if y[9] <= 5000 else D("0.04") if y[9] <= 20000 else D("0.03")
    return bool(sales) and rd / sales >= bound and bool(rd) and domestic / rd >= D("0.60")


# --- the benchmark ---------------------------------------------------------------------------------------------


def run(ctx: Any) -> None:
    if not (ctx.wants("screening") or ctx.wants("screening_peak_rss")):
        return
    from django.db import connection

    from kechuang.eligibility.models import ScreeningEntry, ScreeningRun
    from kechuang.eligibility.services import run_screenings

    build()
    watch = Stopwatch("screening")

    def clear() -> None:
        with connection.cursor() as cursor:
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (ScreeningEntry, ScreeningRun))
            cursor.execute(f"TRUNCATE {tables}" if connection.vendor == "postgresql" else
                           f"DELETE FROM {connection.ops.quote_name(ScreeningEntry._meta.db_table)}")

    runs: list[Any] = []
    peaks: list[float] = []

    def value() -> None:
        with RssSampler() as sampler:
            runs[:] = run_screenings(["tech_sme", "hnte"], region="32", year=DATA_YEAR, as_of=AS_OF, actor=None)
        peaks.append(max(sampler.peak_mb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))

    counts: dict[str, Any] = {}

    def baseline() -> None:
        counts.update(baseline_screen("32"))

    value_times, base_times = interleaved(
        value, baseline, RUNS, before=clear,
        lap=lambda i, v, b: watch.lap(f"run {i}: service {v:.1f} s, baseline {b:.1f} s"))

    tech_sme, hnte = runs
    assert tech_sme.enterprise_count == hnte.enterprise_count == TOTAL, tech_sme.enterprise_count
    assert sum(counts["tech_sme"].values()) == TOTAL
    meets = tech_sme.counts["candidate"] + tech_sme.counts["holder"]
    assert meets == counts["tech_sme"]["meets"] + counts["tech_sme"]["holder"], (tech_sme.counts, counts)
    print(f"   tech_sme: {tech_sme.counts}; hnte: {hnte.counts}; baseline {counts}", flush=True)
    from kechuang.audit.models import DomainEvent

    full = {e.data["programme"]: e.data["assessed_in_full"] for e in DomainEvent.objects.filter(
        event_type="screening", object_id__in=[str(tech_sme.pk), str(hnte.pk)])}
    print(f"   assessed by the full engine (the triage could not decide): {full}", flush=True)
    dataset = (f"run_screenings(tech_sme, hnte) over {TOTAL:,} Jiangsu enterprises, data year {DATA_YEAR} "
               f"(3 years of figures), entries written ({ScreeningEntry.objects.count():,}); baseline = one raw "
               f"SQL query + plain Python loop scoring both programmes' main conditions; best of {RUNS}")
    ctx.record("screening", value=min(value_times), baseline=min(base_times), dataset=dataset, target_ratio=2.0,
               unit="s")
    ctx.record("screening_peak_rss", value=max(peaks), baseline=MEMORY_BUDGET_MB, target_ratio=1.0, unit="MB",
               dataset=f"peak RSS of run_screenings (this process sampled every 20 ms, forked workers' own "
                       f"peaks) against the issue's {MEMORY_BUDGET_MB:.0f} MB budget")
