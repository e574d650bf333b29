"""The screening triage decides exactly what the full engine decides.

Property: for registry-shaped facts drawn around every band edge of the parameters in force, holder or not, the
outcome the screener gives with its triage equals the outcome of the full assessment — category, verdict, score,
failed conditions, normalised shortfall (score shortfalls included), missing count and facts — and the texts
worded from the stored facts equal the texts the full assessment gives at once. A whole run written through the
triage has the same entries, in the same ranks, as a run that assesses every enterprise in full and stores its
texts (the former way), and every entry's replayed texts are the texts that run stored.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kechuang.audit.models import DomainEvent
from kechuang.core.testing.personas import CITY, STREET_A, STREET_B
from kechuang.eligibility import screening
from kechuang.eligibility.engine.programme import get_programme
from kechuang.eligibility.models import ScreeningEntry
from kechuang.eligibility.screening import RunWording, Screener, replay_summary
from kechuang.eligibility.services import run_screenings
from kechuang.eligibility.tests.triage_facts import AS_OF, hnte_registry_facts, tech_sme_registry_facts
from kechuang.enterprises.models import EnterpriseYear
from kechuang.enterprises.testing import grant, make_enterprise

GAPS = (Decimal("0.3"), Decimal("0.004"))  # the platform's reserve threshold, and one the small shares straddle
FIELDS = ("category", "eligible", "holds_rung", "score_low", "score_high", "failed_count", "gap", "missing_count",
          "facts")
SCREENERS = {(code, gap, triage): Screener(get_programme(code), AS_OF, reserve_max_gap=gap, use_triage=triage,
                                           worded=not triage)
             for code in ("tech_sme", "hnte") for gap in GAPS for triage in (True, False)}
RUNGS = {"tech_sme": "tsme", "hnte": "hnte"}
# Two staff over the 500 limit and every other condition met: a normalised shortfall of 2 ÷ 502 = 0.0040 —
# exactly the smaller reserve threshold, which an inclusive comparison keeps in the reserve.
AT_THE_RESERVE_LINE = {
    "employees": Decimal(502), "tech_staff": Decimal(151), "sales_revenue": Decimal("3000.00"),
    "total_assets": Decimal("3000.00"), "total_cost": Decimal("10000.00"), "rd_expense": Decimal("300.00"),
    "class1_ip": Decimal(1), "class2_ip": Decimal(0), "industry": "39", "holds_valid_hnte": False,
    "resident_enterprise": True, "not_restricted_industry": True, "integrity_ok": True}


def outcomes(code: str, facts: dict, holds: bool, gap: Decimal) -> tuple[dict, dict, bool]:
    """Return (outcome with triage, outcome of the full engine, whether the triage decided) as comparable dicts.

    A kept outcome's ``summary`` is, for the triage, the texts replayed from its stored facts and, for the full
    engine, the texts it stored at once (the former way)."""
    registry = {**facts, "qualifications": frozenset({RUNGS[code]} if holds else ())}
    fast, full = SCREENERS[code, gap, True], SCREENERS[code, gap, False]
    decided = fast.triage(fast.project(registry), holds) is not None
    pair = [screener.screen(1, registry) for screener in (fast, full)]
    kept = pair[1].kept
    found = [{name: getattr(o, name) for name in FIELDS if kept or name in ("category", "eligible")} for o in pair]
    if kept:
        assert pair[0].summary is None  # nothing worded at run time
        found[0]["summary"] = replay_summary(get_programme(code), AS_OF, pair[0].category, json.loads(pair[0].facts))
        found[1]["summary"] = json.loads(pair[1].summary)
    return found[0], found[1], decided


def test_the_screeners_have_a_triage_for_the_rules_in_force():
    assert SCREENERS["tech_sme", GAPS[0], True].triage is not None
    assert SCREENERS["hnte", GAPS[0], True].triage is not None
    assert SCREENERS["hnte", GAPS[0], False].triage is None


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=tech_sme_registry_facts(), holds=st.booleans(), gap=st.sampled_from(GAPS))
@example(facts=AT_THE_RESERVE_LINE, holds=False, gap=GAPS[1])
def test_tech_sme_triage_equals_the_full_assessment(facts, holds, gap):
    fast, full, _decided = outcomes("tech_sme", facts, holds, gap)
    assert fast == full


def test_a_shortfall_exactly_at_the_reserve_threshold_is_in_the_reserve():
    fast, full, decided = outcomes("tech_sme", AT_THE_RESERVE_LINE, False, GAPS[1])
    assert decided and fast == full
    assert (full["category"], full["gap"]) == ("reserve", Decimal("0.0040"))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=hnte_registry_facts(), holds=st.booleans(), gap=st.sampled_from(GAPS))
def test_hnte_triage_equals_the_full_assessment(facts, holds, gap):
    fast, full, _decided = outcomes("hnte", facts, holds, gap)
    assert fast == full


@pytest.mark.parametrize("code, strategy", [("tech_sme", tech_sme_registry_facts()),
                                            ("hnte", hnte_registry_facts())])
def test_the_triage_decides_every_category_on_the_edge_data(code, strategy):
    """The equality above must not hold vacuously: on the same data the triage decides every category itself,
    and leaves to the engine only facts with expert picks (which the registry never holds)."""
    decided: Counter[str] = Counter()
    rng = random.Random(4)

    @settings(max_examples=1000, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(facts=strategy)
    def tally(facts):
        fast, full, was_decided = outcomes(code, facts, rng.random() < 0.5, GAPS[0])
        assert fast == full
        if was_decided:
            decided[full["category"]] += 1
        else:
            assert code == "hnte" and any(name.endswith("_points") for name in facts), facts

    tally()
    assert set(decided) == {"candidate", "reserve", "at_risk", "undetermined", "holder", "other"}


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
        "gap", "facts"))


@pytest.mark.django_db
def test_a_run_through_the_triage_equals_a_run_assessing_and_wording_every_entry_in_full(cast, monkeypatch):
    _populate(160)
    fast = run_screenings(["tech_sme", "hnte"], region=CITY, year=2024, as_of=AS_OF, actor=None)
    monkeypatch.setattr(screening, "triage_for", lambda *args: None)
    full = run_screenings(["tech_sme", "hnte"], region=CITY, year=2024, as_of=AS_OF, actor=None, worded=True)
    for triaged, assessed in zip(fast, full, strict=True):
        assert triaged.counts == assessed.counts and triaged.enterprise_count == assessed.enterprise_count == 160
        assert _entries(triaged) == _entries(assessed)
        assert len(_entries(triaged)) > 20
        stored = dict(ScreeningEntry.objects.filter(run=assessed).values_list("enterprise_id", "summary"))
        wording = RunWording(triaged)
        replayed = {e.enterprise_id: wording.lines(e.category, e.summary, e.facts)
                    for e in ScreeningEntry.objects.filter(run=triaged)}
        assert not ScreeningEntry.objects.filter(run=triaged, summary__isnull=False).exists()
        assert replayed == stored and any(replayed.values())
        # The triage decided every enterprise: the full engine ran for none of them during the run.
        in_full = {run.pk: DomainEvent.objects.get(event_type="screening", object_id=str(run.pk)).data[
            "assessed_in_full"] for run in (triaged, assessed)}
        assert in_full == {triaged.pk: 0, assessed.pk: 160}
