"""Batch screening: categories, ranking, the officer's scope, the saved run and its domain event."""

from datetime import date
from decimal import Decimal

import pytest

from kechuang.audit.models import DomainEvent
from kechuang.core.testing.personas import CITY, DISTRICT_A, STREET_A, STREET_B
from kechuang.eligibility.engine.programme import RulesNotInForce, UnknownProgramme, get_programme
from kechuang.eligibility.gaps import relative_change
from kechuang.eligibility.models import SavedAssessment, ScreeningEntry, ScreeningRun
from kechuang.eligibility.screening import RunWording, ScreeningError
from kechuang.eligibility.services import run_screening, save_assessment
from kechuang.enterprises.models import EnterpriseYear
from kechuang.enterprises.testing import grant, make_enterprise

pytestmark = pytest.mark.django_db


def lines(entry: ScreeningEntry) -> list[dict]:
    """The entry's texts as the pages and the export show them (worded from its facts)."""
    return RunWording(entry.run).lines(entry.category, entry.summary, entry.facts)
AS_OF = date(2025, 6, 1)
# RULES.md §1.6 例1: 120 staff, 20 science staff (8), R&D 6% of sales (50), one invention patent (30) ⇒ 88.
QUALIFIES = {"employees": 120, "tech_staff": 20, "sales_revenue": Decimal(3000), "total_assets": Decimal(2500),
             "total_cost": Decimal(2800), "rd_expense": Decimal(180), "ip_class1": 1, "ip_class2": 0}


def enterprise(name, serial, region=STREET_A, **figures):
    made = make_enterprise(name, region, serial, registered_on=date(2015, 1, 1), industry_code="6513")
    if figures.get("year", 2024) is not None:
        EnterpriseYear.objects.create(enterprise=made, year=figures.pop("year", 2024), **{**QUALIFIES, **figures})
    return made


@pytest.fixture
def registry(cast):
    """A candidate, two reserve enterprises, one far off, an at-risk holder, a holder and one without data."""
    made = {
        "candidate": enterprise("甲候选", 1),
        # 501 staff: one over the size limit, everything else fine — the smallest shortfall (1 of 501).
        "just_over": enterprise("乙超编", 2, employees=501, tech_staff=84),
        # 16 + 40 + 0 = 56 points: 10 more science staff (25% → 30%) add the 4 points missing.
        "short": enterprise("丙差四分", 3, employees=200, tech_staff=50, sales_revenue=Decimal(10000),
                            total_cost=Decimal(9000), rd_expense=Decimal(500), ip_class1=0, ip_class2=0),
        # 2% science staff scores 0: eight more of ten is far from "just short".
        "far": enterprise("丁差距大", 4, employees=100, tech_staff=2, ip_class1=0, ip_class2=0),
        "at_risk": enterprise("戊已超标", 5, sales_revenue=Decimal(25000), rd_expense=Decimal(1500)),
        "holder": enterprise("己持有", 6),
        "no_data": enterprise("庚无数据", 7, year=2022),
        "other_district": enterprise("辛秦淮", 8, region=STREET_B),
    }
    for key in ("at_risk", "holder"):
        grant(made[key], "tsme", date(2025, 3, 1))
    return made


def entries(run):
    return {e.enterprise.name: e for e in ScreeningEntry.objects.filter(run=run).select_related("enterprise")}


def test_enterprises_land_in_their_categories(registry):
    run = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=None)
    found = {name: e.category for name, e in entries(run).items()}
    assert found == {"甲候选": "candidate", "辛秦淮": "candidate", "乙超编": "reserve", "丙差四分": "reserve",
                     "戊已超标": "at_risk", "庚无数据": "undetermined"}
    assert run.counts == {"candidate": 2, "reserve": 2, "at_risk": 1, "undetermined": 1, "holder": 1, "other": 1}
    assert run.enterprise_count == 8 and run.rules_version == get_programme("tech_sme").rules_version(AS_OF)


def test_the_reserve_is_ranked_by_the_smallest_shortfall(registry):
    run = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=None)
    reserve = ScreeningEntry.objects.filter(run=run, category="reserve").order_by("rank")
    assert [(e.enterprise.name, e.rank) for e in reserve] == [("乙超编", 1), ("丙差四分", 2)]
    first, second = reserve
    assert first.gap == Decimal("0.0020")  # 1 ÷ 501
    assert second.gap == Decimal("0.1667")  # 50 → 60 science staff: 10 ÷ 60
    assert "科技人员再增加 10 人" in lines(second)[0]["text"]


def test_an_at_risk_holder_says_what_fails(registry):
    run = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=None)
    at_risk = entries(run)["戊已超标"]
    assert at_risk.holds_rung is True and at_risk.eligible is False
    assert [line["check"] for line in lines(at_risk)] == ["size.sales_revenue"]
    assert "5000.0 万元" in lines(at_risk)[0]["text"]


def test_a_candidate_is_stored_with_the_facts_it_was_assessed_on_and_replays(registry):
    run = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=None)
    candidate = entries(run)["甲候选"]
    assert candidate.score_low == Decimal(88) and candidate.rank in (1, 2)
    assert candidate.facts["sales_revenue"] == "3000.00" and candidate.facts["integrity_ok"] is True
    replayed = get_programme("tech_sme").assess(candidate.facts, run.as_of)
    assert replayed.eligible is True and replayed.rules_version == run.rules_version


def test_missing_data_is_undetermined_and_names_what_is_missing(registry):
    run = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=None)
    no_data = entries(run)["庚无数据"]
    assert no_data.eligible is None
    assert any("职工总数" in line["text"] for line in lines(no_data))


def test_a_district_officers_run_covers_only_their_district(registry, cast):
    run = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=cast.district_a_officer)
    assert run.enterprise_count == 7
    assert "辛秦淮" not in entries(run)
    other = run_screening("tech_sme", region=DISTRICT_A, year=2024, as_of=AS_OF, actor=cast.district_b_officer)
    assert other.enterprise_count == 0 and not ScreeningEntry.objects.filter(run=other).exists()


def test_the_run_is_a_domain_event_with_its_rules_version(registry, cast):
    run = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=cast.city_officer)
    event = DomainEvent.objects.get(event_type="screening")
    assert event.object_id == str(run.pk) and event.actor == cast.city_officer
    assert event.data["rules_version"] == run.rules_version == get_programme("tech_sme").rules_version(AS_OF)
    assert event.data["counts"]["reserve"] == 2 and event.data["year"] == 2024
    assert run.actor == cast.city_officer and run.finished >= run.started


def test_an_enterprise_meeting_what_the_registry_can_check_is_an_hnte_candidate(cast):
    made = enterprise("壬高企", 9, employees=100, tech_staff=30, total_income=Decimal(3000),
                      hightech_income=Decimal(2400), rd_expense_domestic=Decimal(170), standards_led=1,
                      results_converted=3, liabilities=Decimal(1300), net_assets=Decimal(1200))
    made.hightech_field = "1"
    made.save()
    for year in (2022, 2023):
        EnterpriseYear.objects.create(enterprise=made, year=year, **{
            **QUALIFIES, "rd_expense_domestic": Decimal(170), "liabilities": Decimal(1500),
            "net_assets": Decimal(1000), "results_converted": 3})
    run = run_screening("hnte", region=CITY, year=2024, as_of=AS_OF, actor=None)
    entry = ScreeningEntry.objects.get(run=run)
    assert entry.category == "candidate" and entry.eligible is None  # the panel still scores the open items
    assert any(line["check"] == "expert" for line in lines(entry))


@pytest.mark.parametrize("programme, year, as_of, error, field", [
    ("nope", 2024, AS_OF, UnknownProgramme, None),
    ("tech_sme", 2026, AS_OF, ScreeningError, "year"),
    ("tech_sme", 2015, AS_OF, ScreeningError, "year"),
    ("tech_sme", 2016, date(2016, 12, 31), RulesNotInForce, None),
    ("sme_size", 2024, AS_OF, ScreeningError, "programme"),
])
def test_bad_input_is_refused_and_nothing_is_saved(cast, programme, year, as_of, error, field):
    with pytest.raises(error) as caught:
        run_screening(programme, region=CITY, year=year, as_of=as_of, actor=None)
    assert field is None or caught.value.field == field
    assert not ScreeningRun.objects.exists() and not DomainEvent.objects.filter(event_type="screening").exists()


def test_an_unknown_region_is_refused(cast):
    with pytest.raises(ScreeningError) as caught:
        run_screening("tech_sme", region="329999", year=2024, as_of=AS_OF, actor=None)
    assert caught.value.field == "region"


def test_relative_change_is_a_share_of_the_larger_figure():
    assert relative_change(Decimal(50), Decimal(60)) == Decimal(10) / Decimal(60)
    assert relative_change(Decimal(501), Decimal(500)) == Decimal(1) / Decimal(501)
    assert relative_change((Decimal(1), Decimal(3)), (Decimal(1), Decimal(4))) == Decimal(1) / Decimal(5)
    assert relative_change(None, Decimal(1)) == 1 and relative_change(False, True) is None


def test_saving_an_assessment_records_an_event_with_the_rules_version(registry, cast):
    from kechuang.eligibility.registry_facts import facts_for
    from kechuang.eligibility.screening import Screener

    candidate = registry["candidate"]
    screener = Screener(get_programme("tech_sme"), AS_OF)
    result = get_programme("tech_sme").assess(screener.project(facts_for(candidate, 2024, AS_OF)), AS_OF)
    saved = save_assessment(result, enterprise=candidate, actor=cast.city_officer)
    assert SavedAssessment.objects.get() == saved and saved.region_id == STREET_A and saved.eligible is True
    event = DomainEvent.objects.get(event_type="assessment")
    assert event.data["rules_version"] == saved.rules_version and event.object_id == str(saved.pk)
    assert saved.result["score"] == {"low": "88", "high": "88"}


@pytest.mark.django_db(transaction=True)
def test_a_parallel_run_gives_the_same_entries_as_one_process(registry):
    """On PostgreSQL outside a transaction the scope is split over forked processes; elsewhere one process."""
    one = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=None, workers=1)
    two = run_screening("tech_sme", region=CITY, year=2024, as_of=AS_OF, actor=None, workers=2)

    def rows(run):
        return sorted(ScreeningEntry.objects.filter(run=run).values_list(
            "enterprise_id", "category", "rank", "gap", "score_low", "facts"))

    assert rows(one) == rows(two) and one.counts == two.counts



def test_registry_values_a_programme_would_refuse_are_left_out_as_missing():
    from kechuang.eligibility.screening import Screener

    hnte = Screener(get_programme("hnte"), AS_OF)
    facts = {"employees": Decimal(0), "tech_staff": Decimal(0), "net_assets_3y": (Decimal(-5), Decimal(10)),
             "sales_revenue_3y": (Decimal(1), Decimal(2), Decimal(3)), "qualifications": frozenset({"hnte"})}
    projected = hnte.project(facts)
    assert "employees" not in projected  # 高企 declares at least one employee
    assert projected["net_assets_3y"] == (Decimal(-5), Decimal(10))  # declared signed: kept
    assert projected["sales_revenue_3y"] == (Decimal(1), Decimal(2), Decimal(3))
    assert projected["owns_core_ip"] is True and "qualifications" not in projected  # a declaration, taken as made


def test_entries_are_written_as_they_were_kept_whatever_the_text(cast):
    """The write path (COPY text on PostgreSQL, executemany elsewhere) keeps every value and the facts text as
    written — backslashes, quotes, escaped tabs and newlines, Chinese — in rank order per category."""
    import json

    from django.utils import timezone

    from kechuang.eligibility.screening import Screener, Tally
    from kechuang.eligibility.services import _write_entries, copy_text

    first, second = make_enterprise("甲", STREET_A, 91), make_enterprise("乙", STREET_A, 92)
    facts = json.dumps({"industry": 'C\\39 "x"\t\n', "名称": "科技\\局", "sales_revenue": "1E+2"},
                       ensure_ascii=False, separators=(",", ":"))
    tally = Tally.empty(Screener(get_programme("tech_sme"), AS_OF))
    tally.kept["reserve"] = [
        ((Decimal("0.2500"), 1, second.pk), (second.pk, "reserve", False, False, Decimal("55"), Decimal("55"), 1,
                                            Decimal("0.2500"), None, facts)),
        ((Decimal("0.0010"), 2, first.pk), (first.pk, "reserve", False, True, None, None, 2, Decimal("0.0010"),
                                           '[{"text":"a\\\\b"}]', "{}"))]
    run = ScreeningRun.objects.create(programme="tech_sme", rules_version="v", year=2024, as_of=AS_OF,
                                      region=first.region, started=timezone.now())
    assert _write_entries(run.pk, tally) == 2
    stored = list(ScreeningEntry.objects.filter(run=run).order_by("rank"))
    assert [(e.enterprise_id, e.rank, e.holds_rung, e.failed_count, e.gap, e.score_low) for e in stored] == [
        (first.pk, 1, True, 2, Decimal("0.0010"), None), (second.pk, 2, False, 1, Decimal("0.2500"), Decimal(55))]
    assert stored[0].summary == [{"text": "a\\b"}] and stored[1].summary is None
    assert stored[1].facts == json.loads(facts)
    line = copy_text((1, "reserve", None, True, Decimal("1E+2"), 3, 'a\\b\tc\nd\re'))
    assert line == "1\treserve\t\\N\tt\t1E+2\t3\ta\\\\b\\tc\\nd\\re"

