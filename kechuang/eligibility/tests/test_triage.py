"""The screening triage decides exactly what the full engine decides, or leaves the enterprise to it.

Property: for registry-shaped facts drawn around every band edge of the parameters in force, holder or not, the
outcome the screener gives with its triage equals the outcome of the full assessment — category, verdict, score,
failed conditions, normalised shortfall, the stored summary and facts. And a whole run written through the triage
has the same entries, in the same ranks, as a run that assesses every enterprise in full.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.core.testing.personas import CITY, STREET_A, STREET_B
from kechuang.eligibility import screening
from kechuang.eligibility.engine.programme import get_programme
from kechuang.eligibility.models import ScreeningEntry
from kechuang.eligibility.screening import Screener
from kechuang.eligibility.services import run_screenings
from kechuang.eligibility.tests.triage_facts import AS_OF, hnte_registry_facts, tech_sme_registry_facts
from kechuang.enterprises.models import EnterpriseYear
from kechuang.enterprises.testing import grant, make_enterprise

GAPS = (Decimal("0.3"), Decimal("0.004"))  # the platform's reserve threshold, and one the small shares straddle
FIELDS = ("category", "eligible", "holds_rung", "score_low", "score_high", "failed_count", "gap", "missing_count",
          "summary", "facts")
SCREENERS = {(code, gap, triage): Screener(get_programme(code), AS_OF, reserve_max_gap=gap, use_triage=triage)
             for code in ("tech_sme", "hnte") for gap in GAPS for triage in (True, False)}
RUNGS = {"tech_sme": "tsme", "hnte": "hnte"}


def outcomes(code: str, facts: dict, holds: bool, gap: Decimal) -> tuple[dict, dict, bool]:
    """Return (outcome with triage, outcome of the full engine, whether the triage decided) as comparable dicts."""
    registry = {**facts, "qualifications": frozenset({RUNGS[code]} if holds else ())}
    fast, full = SCREENERS[code, gap, True], SCREENERS[code, gap, False]
    decided = fast.triage(fast.project(registry), holds) is not None
    pair = [screener.screen(1, registry) for screener in (fast, full)]
    kept = pair[1].kept
    return *({name: getattr(o, name) for name in FIELDS if kept or name in ("category", "eligible")}
             for o in pair), decided


def test_the_screeners_have_a_triage_for_the_rules_in_force():
    assert SCREENERS["tech_sme", GAPS[0], True].triage is not None
    assert SCREENERS["hnte", GAPS[0], True].triage is not None
    assert SCREENERS["hnte", GAPS[0], False].triage is None


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=tech_sme_registry_facts(), holds=st.booleans(), gap=st.sampled_from(GAPS))
def test_tech_sme_triage_equals_the_full_assessment(facts, holds, gap):
    fast, full, _decided = outcomes("tech_sme", facts, holds, gap)
    assert fast == full


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=hnte_registry_facts(), holds=st.booleans(), gap=st.sampled_from(GAPS))
def test_hnte_triage_equals_the_full_assessment(facts, holds, gap):
    fast, full, _decided = outcomes("hnte", facts, holds, gap)
    assert fast == full


@pytest.mark.parametrize("code, strategy", [("tech_sme", tech_sme_registry_facts()),
                                            ("hnte", hnte_registry_facts())])
def test_the_triage_decides_every_unlisted_category_on_the_edge_data(code, strategy):
    """The equality above must not hold vacuously: on the same data the triage decides holders, others and
    (科小) candidates, and leaves at-risk, reserve and undetermined enterprises to the engine."""
    decided: Counter[str] = Counter()
    deferred: Counter[str] = Counter()
    rng = random.Random(4)

    @settings(max_examples=1000, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(facts=strategy)
    def tally(facts):
        fast, full, was_decided = outcomes(code, facts, rng.random() < 0.5, GAPS[0])
        assert fast == full
        (decided if was_decided else deferred)[full["category"]] += 1

    tally()
    expected = {"holder", "other", "candidate"} if code == "tech_sme" else {"holder", "other"}
    assert expected <= set(decided)
    assert not {"at_risk", "reserve", "undetermined"} & set(decided)
    assert {"at_risk", "reserve"} <= set(deferred)


# --- a whole run: triage versus the full engine --------------------------------------------------------------


def _populate(count: int) -> None:
    """Enterprises with figures scattered around the edges (a small version of the bench's data set)."""
    rng = random.Random(11)
    for serial in range(1, count + 1):
        young = rng.random() < 0.1
        made = make_enterprise(f"企业{serial}", rng.choice((STREET_A, STREET_B)), serial,
                               registered_on=AS_OF - timedelta(days=rng.choice((200, 364, 365, 366)) if young
                                                               else rng.randrange(800, 8000)),
                               industry_code=rng.choice(("6513", "3911", "5131", "7010", "2710")),
                               hightech_field=rng.choice(("1", "5", "8", "")))
        employees, sales = rng.randrange(5, 700), Decimal(rng.randrange(600_00, 30_000_00)) / 100
        for year in (2022, 2023, 2024):
            if year == 2024 and rng.random() < 0.05:
                continue
            rd = (sales * Decimal(rng.uniform(0.015, 0.07))).quantize(Decimal("0.01"))
            income = (sales * Decimal(rng.uniform(1.0, 1.08))).quantize(Decimal("0.01"))
            assets = (sales * Decimal(rng.uniform(0.5, 1.6))).quantize(Decimal("0.01"))
            EnterpriseYear.objects.create(
                enterprise=made, year=year, employees=employees, tech_staff=int(employees * rng.uniform(0.04, 0.36)),
                sales_revenue=sales, total_income=income,
                hightech_income=(income * Decimal(rng.uniform(0.4, 1.0))).quantize(Decimal("0.01")),
                rd_expense=rd, rd_expense_domestic=(rd * Decimal(rng.uniform(0.45, 1.0))).quantize(Decimal("0.01")),
                total_cost=(sales * Decimal(rng.uniform(0.6, 1.1))).quantize(Decimal("0.01")), total_assets=assets,
                liabilities=(assets * Decimal("0.4")).quantize(Decimal("0.01")), ip_class1=rng.choice((0, 0, 1)),
                ip_class2=rng.randrange(6), results_converted=rng.randrange(5), standards_led=rng.choice((0, 1)))
        if rng.random() < 0.3:
            grant(made, "hnte", date(2023, 1, 1))
        if rng.random() < 0.2:
            grant(made, "tsme", date(2025, 3, 1))


def _entries(run) -> list[tuple]:
    return sorted(ScreeningEntry.objects.filter(run=run).values_list(
        "enterprise_id", "category", "rank", "eligible", "holds_rung", "score_low", "score_high", "failed_count",
        "gap", "summary", "facts"))


@pytest.mark.django_db
def test_a_run_through_the_triage_equals_a_run_assessing_every_enterprise_in_full(cast, monkeypatch):
    _populate(160)
    fast = run_screenings(["tech_sme", "hnte"], region=CITY, year=2024, as_of=AS_OF, actor=None)
    monkeypatch.setattr(screening, "triage_for", lambda *args: None)
    full = run_screenings(["tech_sme", "hnte"], region=CITY, year=2024, as_of=AS_OF, actor=None)
    for triaged, assessed in zip(fast, full, strict=True):
        assert triaged.counts == assessed.counts and triaged.enterprise_count == assessed.enterprise_count == 160
        assert _entries(triaged) == _entries(assessed)
        assert len(_entries(triaged)) > 20
