"""Computed indicators (平台计算指标): leaf figures rolled up the region tree, stored with a change log, frozen figures
kept, derived figures refreshed after entry, drill-down to the enterprises behind a figure."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B, OTHER_CITY, STREET_A, STREET_B
from kechuang.enterprises.models import EnterpriseYear
from kechuang.enterprises.testing import grant, make_enterprise
from kechuang.indicators import services
from kechuang.indicators.computations import computation_for, roll_up
from kechuang.indicators.models import Indicator, IndicatorValue
from kechuang.indicators.services import compute_indicators, derived_in_order, enter_value, freeze_values
from kechuang.indicators.tests.conftest import END, YEAR, indicator, stored

D = Decimal
PROVINCE, OTHER_DISTRICT = "320000000000", "320205000000"

# (code, significant digits) of the persona regions
KEYS = [("320000000000", 2), (CITY, 4), (DISTRICT_A, 6), (STREET_A, 9), (DISTRICT_B, 6), (STREET_B, 9),
        (OTHER_CITY, 4), (OTHER_DISTRICT, 6)]


# --- roll_up on hand-made leaves ---------------------------------------------------------------------------


def test_roll_up_sums_leaves_into_every_region_above_them():
    # an enterprise may sit on a district's own code (DISTRICT_A) as well as on a street's
    leaves = {STREET_A: (D(3), None), DISTRICT_A: (D(1), None), STREET_B: (D(2), None)}
    figures = roll_up(leaves, KEYS, D(1))
    assert figures[STREET_A] == 3
    assert figures[DISTRICT_A] == 4  # 3 + 1
    assert figures[STREET_B] == figures[DISTRICT_B] == 2
    assert figures[CITY] == figures[PROVINCE] == 6  # 3 + 1 + 2
    # no leaf under the other city: no enterprise holds the title there → 0, not missing
    assert figures[OTHER_CITY] == figures[OTHER_DISTRICT] == 0


def test_roll_up_of_a_ratio_is_the_ratio_of_sums():
    # street A 10/200 = 5 %, street B 30/100 = 30 %; the city is 40/300 = 13.33 %, not (5 + 30)/2 = 17.5 %
    leaves = {STREET_A: (D(10), D(200)), STREET_B: (D(30), D(100))}
    figures = roll_up(leaves, KEYS, D(100))
    assert figures[STREET_A] == 5
    assert figures[STREET_B] == 30
    assert figures[CITY].quantize(D("0.0001")) == D("13.3333")
    # no denominator under the other city: 数据暂缺, never 0
    assert figures[OTHER_CITY] is None


def test_roll_up_scales_to_the_unit():
    # 12,345 万元 = 1.2345 亿元
    assert roll_up({STREET_A: (D(12345), None)}, [(CITY, 4)], D("0.0001"))[CITY] == D("1.2345")


def test_roll_up_of_a_ratio_with_no_leaf_at_all_is_missing():
    # a year nobody reported: the leaves cannot tell a ratio from a sum, the caller can
    assert roll_up({}, [(CITY, 4)], D(100), ratio=True) == {CITY: None}
    assert roll_up({}, [(CITY, 4)], D(1), ratio=False) == {CITY: 0}


# --- the enterprise fixture ----------------------------------------------------------------------------------


@pytest.fixture
def enterprises(cast):
    """Five enterprises with 高企/科小 titles and 2024 figures (counts hand-checked in the tests):

    甲 street A: 高企 since 2023-03-01 (valid to 2026-02-28), 科小 2024-01-10; 300 R&D / 3,000 revenue, 10/100 staff
    乙 street A: 高企 granted 2024-05-10; 100 R&D / 7,000 revenue
    丙 street B: 高企 2021-01-01, expired 2023-12-31; 500 R&D, no revenue reported
    丁 district A (on the district's own code): 高企 2024-10-01, 科小 2024-02-01; 600 R&D / 2,000 revenue
    戊 the other city's district: 科小 2024-03-03
    己 street B: 高企 granted 2025-01-05 (after the year)
    """
    made = {
        "甲": make_enterprise("甲科技", STREET_A, 1),
        "乙": make_enterprise("乙科技", STREET_A, 2),
        "丙": make_enterprise("丙科技", STREET_B, 3),
        "丁": make_enterprise("丁科技", DISTRICT_A, 4),
        "戊": make_enterprise("戊科技", OTHER_DISTRICT, 5),
        "己": make_enterprise("己科技", STREET_B, 6),
    }
    grant(made["甲"], "hnte", date(2023, 3, 1))
    grant(made["甲"], "tsme", date(2024, 1, 10))
    grant(made["乙"], "hnte", date(2024, 5, 10))
    grant(made["丙"], "hnte", date(2021, 1, 1))
    grant(made["丁"], "hnte", date(2024, 10, 1))
    grant(made["丁"], "tsme", date(2024, 2, 1))
    grant(made["戊"], "tsme", date(2024, 3, 3))
    grant(made["己"], "hnte", date(2025, 1, 5))
    EnterpriseYear.objects.create(enterprise=made["甲"], year=YEAR, rd_expense=D(300), main_revenue=D(3000),
                                  rd_staff=10, employees=100)
    EnterpriseYear.objects.create(enterprise=made["甲"], year=YEAR - 1, rd_expense=D(9999), main_revenue=D(1))
    EnterpriseYear.objects.create(enterprise=made["乙"], year=YEAR, rd_expense=D(100), main_revenue=D(7000))
    EnterpriseYear.objects.create(enterprise=made["丙"], year=YEAR, rd_expense=D(500))
    EnterpriseYear.objects.create(enterprise=made["丁"], year=YEAR, rd_expense=D(600), main_revenue=D(2000))
    return made


def value_changes():
    return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(IndicatorValue))


def test_compute_counts_titles_for_street_district_and_city(enterprises):
    compute_indicators(year=YEAR, as_of=END)
    # 高企 in force on 31 Dec 2024: 甲 乙 in street A, + 丁 in district A; 丙 expired, 己 not yet granted
    assert [stored("hnte_total", r) for r in (STREET_A, DISTRICT_A, CITY, PROVINCE)] == [2, 3, 3, 3]
    assert [stored("hnte_total", r) for r in (STREET_B, DISTRICT_B, OTHER_CITY)] == [0, 0, 0]
    # newly granted in 2024: 乙 (street A), 丁 (district A)
    assert [stored("hnte_new", r) for r in (STREET_A, DISTRICT_A, CITY, STREET_B)] == [1, 2, 2, 0]
    # 科小 registered in 2024: 甲 (street A), 丁 (district A), 戊 (other city)
    assert [stored("tsme_registered", r) for r in (STREET_A, DISTRICT_A, CITY, OTHER_CITY, PROVINCE)] == [
        1, 2, 2, 1, 3]


def test_compute_sums_enterprise_rd_expense_in_yi_yuan(enterprises):
    compute_indicators(year=YEAR, as_of=END)
    # street A 300 + 100 = 400 万元 = 0.04 亿元; district A + 丁 600 = 1,000 万元 = 0.1 亿元;
    # street B 丙 500 = 0.05; city 1,500 万元 = 0.15; the 2023 row (9,999) does not count
    assert stored("enterprise_rd_expense", STREET_A) == D("0.04")
    assert stored("enterprise_rd_expense", DISTRICT_A) == D("0.1")
    assert stored("enterprise_rd_expense", STREET_B) == D("0.05")
    assert stored("enterprise_rd_expense", CITY) == D("0.15")
    assert stored("enterprise_rd_expense", OTHER_CITY) == 0


def test_compute_enterprise_rd_ratio_is_a_ratio_of_sums(enterprises):
    compute_indicators(year=YEAR, as_of=END)
    # street A: (300 + 100) / (3,000 + 7,000) = 4 % (the average of 10 % and 1.43 % would be 5.71 %)
    assert stored("enterprise_rd_ratio", STREET_A) == 4
    # district A and city: (300 + 100 + 600) / (3,000 + 7,000 + 2,000) = 8.3333 %; 丙 reports no revenue
    assert stored("enterprise_rd_ratio", DISTRICT_A) == D("8.3333")
    assert stored("enterprise_rd_ratio", CITY) == D("8.3333")
    # street B: 丙 has no revenue → 数据暂缺, no row (not 0)
    assert stored("enterprise_rd_ratio", STREET_B) is None
    assert stored("enterprise_rd_ratio", OTHER_CITY) is None
    # 研发人员占比: 甲 10 / 100 = 10 %
    assert stored("rd_staff_share", CITY) == 10


def test_compute_summary_counts_rows(enterprises):
    summary = compute_indicators(year=YEAR, as_of=END)
    # 8 regions × 4 sums (hnte_total, hnte_new, tsme_registered, enterprise_rd_expense) = 32,
    # + 2 ratios × 4 regions with a denominator (street A, district A, city, province) = 8 → 40
    assert (summary.regions, summary.created, summary.updated, summary.unchanged) == (8, 40, 0, 0)
    assert IndicatorValue.objects.count() == 40
    assert set(IndicatorValue.objects.values_list("origin", flat=True)) == {"computed"}
    assert set(IndicatorValue.objects.values_list("as_of", flat=True)) == {END}
    event = DomainEvent.objects.get(event_type="indicators.computed")
    assert event.data["created"] == 40


def test_a_mid_year_period_counts_to_its_end_and_skips_annual_only_figures(enterprises):
    summary = compute_indicators(year=YEAR, period="q2", as_of=date(2025, 1, 1))
    assert summary.period == "Q2" and summary.as_of == date(2024, 6, 30)
    # on 30 June 2024: 甲 乙 hold 高企 (丁 only from October)
    assert stored("hnte_total", DISTRICT_A, period="Q2") == 2
    assert stored("hnte_new", DISTRICT_A, period="Q2") == 1
    assert stored("tsme_registered", DISTRICT_A, period="Q2") == 2
    assert not IndicatorValue.objects.filter(indicator__code="enterprise_rd_expense").exists()


def test_compute_refuses_a_date_before_the_year(enterprises):
    with pytest.raises(ValueError, match="早于 2024 年"):
        compute_indicators(year=YEAR, as_of=date(2023, 6, 1))
    assert not IndicatorValue.objects.exists()


def test_compute_only_the_named_codes_and_region(enterprises):
    summary = compute_indicators(year=YEAR, as_of=END, codes=["hnte_total"], region_code=DISTRICT_A)
    assert summary.indicators == ["hnte_total"]
    assert dict(IndicatorValue.objects.values_list("region_id", "value")) == {DISTRICT_A: 3, STREET_A: 2}


def test_a_ratio_nobody_reported_is_missing_not_zero(enterprises):
    compute_indicators(year=2025, as_of=date(2025, 12, 31))
    # no enterprise has 2025 figures: the sum is 0 万元, the ratio is 数据暂缺
    assert stored("enterprise_rd_expense", CITY, year=2025) == 0
    assert not IndicatorValue.objects.filter(indicator__code="enterprise_rd_ratio").exists()
    assert not IndicatorValue.objects.filter(indicator__code="rd_staff_share").exists()


def test_recomputing_unchanged_data_changes_nothing(enterprises):
    first = compute_indicators(year=YEAR, as_of=END)
    logged = value_changes().count()
    again = compute_indicators(year=YEAR, as_of=END)
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, first.created)
    assert value_changes().count() == logged


def test_every_written_value_has_a_change_log_row(enterprises, cast):
    compute_indicators(year=YEAR, as_of=END)
    created = set(value_changes().filter(action="create").values_list("object_id", flat=True))
    assert created == {str(pk) for pk in IndicatorValue.objects.values_list("pk", flat=True)}
    # one more 高企 in street A: the street, district, city and province counts are updated and logged
    grant(make_enterprise("庚科技", STREET_A, 7), "hnte", date(2024, 6, 1))
    compute_indicators(year=YEAR, as_of=END)
    row = IndicatorValue.objects.get(indicator__code="hnte_total", region_id=DISTRICT_A)
    assert row.value == 4
    change = value_changes().get(action="update", object_id=str(row.pk))
    assert D(str(change.before["value"])) == 3 and D(str(change.after["value"])) == 4


def test_values_and_their_change_log_are_written_in_one_transaction(enterprises, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("change log unavailable")

    monkeypatch.setattr(services, "log_bulk_changes", broken)
    with pytest.raises(RuntimeError):
        compute_indicators(year=YEAR, as_of=END)
    assert not IndicatorValue.objects.exists()
    assert not DomainEvent.objects.filter(event_type="indicators.computed").exists()


def test_a_frozen_value_is_kept_after_the_data_changes(enterprises, cast):
    compute_indicators(year=YEAR, as_of=END)
    frozen = freeze_values(IndicatorValue.objects.filter(indicator__code="hnte_total", region_id=STREET_A),
                           actor=cast.city_officer)
    assert frozen == 1
    grant(make_enterprise("庚科技", STREET_A, 7), "hnte", date(2024, 6, 1))
    summary = compute_indicators(year=YEAR, as_of=END)
    assert summary.frozen_kept == 1
    assert stored("hnte_total", STREET_A) == 2  # the officially reported figure stays
    assert stored("hnte_total", DISTRICT_A) == 4  # 甲 乙 丁 + 庚
    assert stored("hnte_new", STREET_A) == 2  # not frozen: 乙 + 庚
    assert DomainEvent.objects.filter(event_type="indicators.values.frozen", data__count=1).exists()


def test_freezing_twice_freezes_nothing_more(enterprises, cast):
    compute_indicators(year=YEAR, as_of=END, codes=["hnte_total"])
    rows = IndicatorValue.objects.filter(region_id=CITY)
    assert freeze_values(rows, actor=cast.city_officer) == 1
    assert freeze_values(rows, actor=cast.city_officer) == 0


# --- drill-down ------------------------------------------------------------------------------------------------


def test_drill_down_members_count_equals_the_computed_figure(enterprises):
    compute_indicators(year=YEAR, as_of=END)
    for code in ("hnte_total", "hnte_new", "tsme_registered"):
        computation = computation_for(code)
        for region in (STREET_A, DISTRICT_A, CITY, STREET_B, OTHER_CITY):
            assert computation.members(region, YEAR, END).count() == stored(code, region), (code, region)
    names = computation_for("hnte_total").members(DISTRICT_A, YEAR, END).values_list("name", flat=True)
    assert set(names) == {"甲科技", "乙科技", "丁科技"}


def test_drill_down_names_the_enterprises_that_left(enterprises):
    # 丙 held 高企 on 31 Dec 2023 and lost it (expired): it pulled street B down from 1 to 0
    lost = computation_for("hnte_total").lost(STREET_B, YEAR, END)
    assert list(lost.values_list("name", flat=True)) == ["丙科技"]
    assert list(computation_for("hnte_total").lost(CITY, YEAR, END).values_list("name", flat=True)) == ["丙科技"]
    assert not computation_for("hnte_total").lost(STREET_A, YEAR, END).exists()


def test_drill_down_of_rd_expense_lists_reporting_enterprises(enterprises):
    members = computation_for("enterprise_rd_expense").members(DISTRICT_A, YEAR, END)
    assert set(members.values_list("name", flat=True)) == {"甲科技", "乙科技", "丁科技"}


# --- derived figures -----------------------------------------------------------------------------------------


def test_rd_intensity_is_derived_after_entry(cast):
    region = cast.regions[DISTRICT_A]
    enter_value(indicator=indicator("gdp"), region=region, year=YEAR, period="", value="1500",
                actor=cast.city_officer)
    assert stored("rd_intensity", DISTRICT_A) is None  # R&D expenditure not yet known
    enter_value(indicator=indicator("rd_expenditure"), region=region, year=YEAR, period="", value="45",
                actor=cast.city_officer)
    # RULES.md §11: 45亿 / 1,500亿 × 100 = 3.00 %
    row = IndicatorValue.objects.get(indicator__code="rd_intensity", region_id=DISTRICT_A, year=YEAR)
    assert (row.value, row.origin, row.as_of) == (3, "derived", END)
    enter_value(indicator=indicator("gdp"), region=region, year=YEAR, period="", value="1800",
                actor=cast.city_officer)
    # 45 / 1,800 × 100 = 2.5 %
    assert stored("rd_intensity", DISTRICT_A) == D("2.5")
    change = value_changes().get(action="update", object_id=str(row.pk))
    assert D(str(change.before["value"])) == 3


def test_entered_value_records_who_and_when(cast):
    row = enter_value(indicator=indicator("gdp"), region=cast.regions[CITY], year=YEAR, period="Q3",
                      value="12,345.678", actor=cast.city_officer, note="统计月报")
    assert (row.value, row.as_of, row.origin, row.entered_by) == (D("12345.678"), date(2024, 9, 30), "entered",
                                                                  cast.city_officer)
    assert value_changes().filter(action="create", object_id=str(row.pk)).count() == 1


@pytest.fixture
def chained(cast):
    """Two derived indicators where the one sorting first (aa_double) reads the other (zz_sum)."""
    common = {"unit": "亿元", "group": "rd", "kind": "derived", "aggregation": "sum"}
    Indicator.objects.create(code="aa_double", name="两倍", formula="zz_sum * 2", **common)
    Indicator.objects.create(code="zz_sum", name="合计", formula="gdp + rd_expenditure", **common)


def test_derived_indicators_are_computed_after_those_they_read(chained, cast):
    order = [i.code for i in derived_in_order()]
    assert order.index("zz_sum") < order.index("aa_double")
    region = cast.regions[DISTRICT_A]
    enter_value(indicator=indicator("gdp"), region=region, year=YEAR, period="", value="1500",
                actor=cast.city_officer)
    enter_value(indicator=indicator("rd_expenditure"), region=region, year=YEAR, period="", value="45",
                actor=cast.city_officer)
    # zz_sum = 1,500 + 45 = 1,545; aa_double = 1,545 × 2 = 3,090 — in one pass, because zz_sum is stored first
    assert stored("zz_sum", DISTRICT_A) == 1545
    assert stored("aa_double", DISTRICT_A) == 3090


def test_a_formula_cycle_is_refused(cast):
    common = {"unit": "亿元", "group": "rd", "kind": "derived"}
    Indicator.objects.create(code="cy_a", name="甲", formula="cy_b + 1", **common)
    Indicator.objects.create(code="cy_b", name="乙", formula="cy_a + 1", **common)
    with pytest.raises(ValueError, match="循环引用"):
        derived_in_order()
