"""Facts from the registry: one data year's figures, 3-year series oldest first, missing stays missing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kechuang.core.testing.personas import DISTRICT_A, STREET_A, STREET_B
from kechuang.eligibility.registry_facts import (
    REGISTRY_FACTS,
    RegistryFactsError,
    check_year,
    facts_for,
    iter_registry_facts,
)
from kechuang.enterprises.choices import IPType
from kechuang.enterprises.models import Enterprise, EnterpriseYear, IntellectualProperty
from kechuang.enterprises.testing import grant, make_enterprise

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 6, 1)


def add_year(enterprise, year, **figures):
    base = {"employees": 100, "tech_staff": 20, "sales_revenue": Decimal(1000 * (year - 2020)),
            "rd_expense": Decimal(60 + year - 2020), "rd_expense_domestic": Decimal(50), "total_assets": Decimal(900),
            "liabilities": Decimal(400), "net_assets": Decimal(500), "ip_class1": 1, "ip_class2": 3,
            "results_converted": year - 2020}
    return EnterpriseYear.objects.create(enterprise=enterprise, year=year, **{**base, **figures})


def enterprise_with(years, serial=1, registered_on=date(2010, 1, 1), region=STREET_A, **extra):
    enterprise = make_enterprise(f"企业{serial}", region, serial, registered_on=registered_on, industry_code="6513",
                                 hightech_field="1", **extra)
    for year in years:
        add_year(enterprise, year)
    return enterprise


def test_three_years_give_three_year_series_oldest_first(cast):
    facts = facts_for(enterprise_with([2021, 2022, 2023, 2024], registered_on=date(2021, 3, 1)), 2024, AS_OF)
    assert facts["sales_revenue_3y"] == (Decimal(2000), Decimal(3000), Decimal(4000))
    assert facts["rd_expense_3y"] == (Decimal(62), Decimal(63), Decimal(64))
    assert facts["rd_overseas_3y"] == (Decimal(12), Decimal(13), Decimal(14))  # total − domestic, per year
    assert facts["conversions_3y"] == (Decimal(2), Decimal(3), Decimal(4))
    assert facts["sales_revenue"] == Decimal(4000) and facts["employees"] == Decimal(100)
    # The 6-year series starts with the enterprise's first year (registered 2021).
    assert facts["sales_revenue_series"] == (Decimal(1000), Decimal(2000), Decimal(3000), Decimal(4000))
    assert facts["industry"] == "6513" and facts["hightech_field"] == "1" and facts["listing_status"] == "unlisted"


def test_a_young_enterprise_has_shorter_series(cast):
    two = facts_for(enterprise_with([2023, 2024], 1, registered_on=date(2023, 3, 1)), 2024, AS_OF)
    one = facts_for(enterprise_with([2024], 2, registered_on=date(2024, 2, 1)), 2024, AS_OF)
    assert two["sales_revenue_3y"] == (Decimal(3000), Decimal(4000))
    assert one["sales_revenue_3y"] == (Decimal(4000),)
    assert one["net_assets_3y"] == (Decimal(500),)


def test_a_missing_year_in_the_middle_makes_the_series_missing(cast):
    facts = facts_for(enterprise_with([2022, 2024]), 2024, AS_OF)
    assert facts["sales_revenue_3y"] is None and facts["rd_expense_3y"] is None
    assert facts["sales_revenue"] == Decimal(4000)  # the data year itself is there


def test_an_enterprise_older_than_its_data_gets_no_shortened_series(cast):
    facts = facts_for(enterprise_with([2023, 2024], registered_on=date(2015, 5, 1)), 2024, AS_OF)
    assert facts["sales_revenue_3y"] is None  # 2022 is not known, and it did operate then


def test_without_the_data_year_everything_of_that_year_is_missing(cast):
    facts = facts_for(enterprise_with([2022, 2023]), 2024, AS_OF)
    assert facts["employees"] is None and facts["sales_revenue"] is None and facts["rd_expense_3y"] is None
    assert facts["registered_on"] == date(2010, 1, 1)


def test_missing_figures_stay_missing_never_zero(cast):
    enterprise = enterprise_with([2022, 2023])
    add_year(enterprise, 2024, rd_expense=None, rd_expense_domestic=None, tech_staff=None, net_assets=None,
             liabilities=None)
    facts = facts_for(enterprise, 2024, AS_OF)
    assert facts["rd_expense"] is None and facts["tech_staff"] is None and facts["rd_expense_3y"] is None
    assert facts["rd_overseas_3y"] is None and facts["net_assets"] is None and facts["net_assets_3y"] is None
    assert facts["total_cost"] is None  # never reported at all
    assert facts["employees"] == Decimal(100)


def test_net_assets_fall_back_to_assets_minus_liabilities(cast):
    enterprise = enterprise_with([2023])
    add_year(enterprise, 2024, net_assets=None)
    assert facts_for(enterprise, 2024, AS_OF)["net_assets"] == Decimal(500)


def test_qualifications_are_those_valid_on_the_date(cast):
    enterprise = enterprise_with([2024])
    grant(enterprise, "hnte", date(2023, 1, 10))
    grant(enterprise, "tsme", date(2024, 4, 1))  # 科小: valid for the calendar year only
    facts = facts_for(enterprise, 2024, AS_OF)
    assert facts["qualifications"] == frozenset({"hnte"}) and facts["holds_valid_hnte"] is True
    earlier = facts_for(enterprise, 2024, date(2024, 6, 1))
    assert earlier["qualifications"] == frozenset({"hnte", "tsme"})
    assert facts_for(enterprise, 2024, date(2026, 1, 10))["holds_valid_hnte"] is False  # three years on


def test_ip_counts_come_from_the_year_and_else_from_the_register(cast):
    reported = enterprise_with([2024], 1)
    assert facts_for(reported, 2024, AS_OF)["class2_ip"] == Decimal(3)
    unreported = make_enterprise("乙", STREET_A, 2, registered_on=date(2010, 1, 1))
    add_year(unreported, 2024, ip_class1=None, ip_class2=None)
    assert facts_for(unreported, 2024, AS_OF)["class1_ip"] is None  # no register records: not known
    for number, ip_type, granted in (("ZL1", IPType.INVENTION, date(2020, 1, 1)),
                                     ("ZL2", IPType.UTILITY_MODEL, date(2021, 1, 1)),
                                     ("ZL3", IPType.UTILITY_MODEL, date(2025, 12, 1)),  # after the date
                                     ("SB1", IPType.TRADEMARK, date(2020, 1, 1))):
        IntellectualProperty.objects.create(enterprise=unreported, ip_type=ip_type, number=number, title="x",
                                            granted_on=granted)
    facts = facts_for(unreported, 2024, AS_OF)
    assert (facts["class1_ip"], facts["class2_ip"]) == (Decimal(1), Decimal(1))


def test_every_vocabulary_name_the_registry_gives_is_a_key(cast):
    facts = facts_for(enterprise_with([2024]), 2024, AS_OF)
    assert set(facts) == set(REGISTRY_FACTS)
    assert "valuation" not in facts  # not held by the registry: missing for every programme


def test_the_bulk_iterator_gives_the_same_facts_with_a_constant_number_of_queries(cast):
    made = [enterprise_with([2022, 2023, 2024][i % 3:], i + 1, registered_on=date(2022 + i % 3, 1, 1),
                            region=STREET_A if i % 2 else STREET_B) for i in range(6)]
    grant(made[1], "hnte", date(2024, 1, 1))
    subtree = Enterprise.objects.in_region(DISTRICT_A[:6])
    with CaptureQueriesContext(connection) as queries:
        bulk = dict(iter_registry_facts(subtree, 2024, AS_OF))
    assert len(queries) <= 4  # enterprises, annual rows, qualifications, IP counts — not one per enterprise
    expected = {e.pk for e in made if e.region_id.startswith(DISTRICT_A[:6])}
    assert set(bulk) == expected
    for enterprise in made:
        if enterprise.pk in bulk:
            assert bulk[enterprise.pk] == facts_for(enterprise, 2024, AS_OF)
    assert bulk[made[1].pk]["holds_valid_hnte"] is True and bulk[made[3].pk]["holds_valid_hnte"] is False


def test_an_id_range_reads_exactly_the_enterprises_of_the_range(cast):
    """Batch screening reads a province in id slices: each slice's annual rows, qualifications and IP records
    are those of its own enterprises, and the slices together give the whole subtree's facts."""
    made = [enterprise_with([2023, 2024], i + 1) for i in range(6)]
    for enterprise in made[::2]:
        grant(enterprise, "hnte", date(2024, 1, 1))
        IntellectualProperty.objects.create(enterprise=enterprise, ip_type=IPType.INVENTION, number=f"ZL{enterprise.pk}",
                                            title="x", granted_on=date(2020, 1, 1))
    subtree = Enterprise.objects.in_region(STREET_A)
    whole = dict(iter_registry_facts(subtree, 2024, AS_OF))
    ids = sorted(whole)
    middle = (ids[1], ids[3])
    sliced = dict(iter_registry_facts(subtree, 2024, AS_OF, id_range=middle))
    assert sorted(sliced) == ids[1:4]
    assert all(sliced[pk] == whole[pk] for pk in sliced)
    rest = {**dict(iter_registry_facts(subtree, 2024, AS_OF, id_range=(ids[0], ids[0]))),
            **dict(iter_registry_facts(subtree, 2024, AS_OF, id_range=(ids[4], ids[-1])))}
    assert {**sliced, **rest} == whole
    assert {pk for pk in whole if whole[pk]["holds_valid_hnte"]} == {e.pk for e in made[::2]}


@pytest.mark.parametrize("year, message", [(2026, "晚于评估日期"), (1999, "超出范围"), ("2024", "整数")])
def test_a_year_that_cannot_be_a_data_year_is_refused(year, message):
    with pytest.raises(RegistryFactsError, match=message) as caught:
        check_year(year, AS_OF)
    assert caught.value.field == "year"
