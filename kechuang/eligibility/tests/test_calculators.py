"""The two calculators: 中小企业划型 (sme_size) and 研发费用加计扣除 (rd_deduction) — invariants the YAML cases
state only by example, and the consistency of their parameter files on every date."""

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kechuang.eligibility.engine.facts import FactError
from kechuang.eligibility.engine.params import parameter_set
from kechuang.eligibility.engine.programme import assess, get_programme
from kechuang.eligibility.rules.rd_deduction import CATEGORIES
from kechuang.eligibility.rules.sme_size import BOUNDED_SIZES, SECTORS
from kechuang.eligibility.tests.strategies import money
from kechuang.eligibility.tests.strategies_rd_deduction import rd_deduction_facts

AS_OF = datetime.date(2024, 6, 1)
SIZE_ORDER = ["micro", "small", "medium", "large"]
CENT = Decimal("0.01")


def every_year(first: int, last: int) -> list[datetime.date]:
    return [datetime.date(year, month, day) for year in range(first, last + 1) for month, day in ((1, 1), (12, 31))]


# --- sme_size ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", every_year(2012, 2026))
def test_every_sector_has_codes_measures_and_decreasing_bounds(day):
    view = parameter_set("sme_size").at(day)
    declared = get_programme("sme_size").fact_map
    for sector in SECTORS:
        assert getattr(view, f"industries_{sector}")
        for measure in getattr(view, f"measures_{sector}"):
            assert measure in declared
            bounds = [getattr(view, f"{sector}_{size}_{measure}") for size in BOUNDED_SIZES]
            assert bounds == sorted(bounds, reverse=True) and len(set(bounds)) == len(bounds)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["26", "65"]), st.integers(0, 2000), money(60_000), st.integers(0, 500), money(5_000))
def test_a_bigger_enterprise_is_never_a_smaller_class(industry, employees, revenue, more_staff, more_revenue):
    def size(staff, sales):
        return assess({"industry": industry, "employees": staff, "sales_revenue": sales}, "sme_size", AS_OF).outputs[
            "size"]

    assert SIZE_ORDER.index(size(employees + more_staff, revenue + more_revenue)) >= SIZE_ORDER.index(
        size(employees, revenue))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["26", "65"]), st.one_of(st.none(), st.integers(0, 2000)),
       st.one_of(st.none(), money(60_000)))
def test_the_size_is_one_of_the_possible_sizes_and_sme_means_not_large(industry, employees, revenue):
    result = assess({"industry": industry, "employees": employees, "sales_revenue": revenue}, "sme_size", AS_OF)
    possible = result.outputs["possible_sizes"]
    assert possible and possible[-1] in ("large", "medium", "small", "micro")
    assert (result.outputs["size"] is not None) == (len(possible) == 1)
    if employees is not None and revenue is not None:
        assert len(possible) == 1
    expected = True if "large" not in possible else (False if possible == ["large"] else None)
    assert result.eligible is expected


def test_an_unsupported_sector_says_so_in_chinese():
    result = assess({"industry": "5171", "employees": 50, "sales_revenue": 3000}, "sme_size", AS_OF)
    assert "该行业暂不支持划型" in result.check("sector").note
    assert result.outputs["size"] is None and result.eligible is None


# --- rd_deduction -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", every_year(2016, 2030))
def test_the_rates_are_consistent_on_every_date(day):
    view = parameter_set("rd_deduction").at(day)
    for category in CATEGORIES:
        expensed, amortised = getattr(view, f"expensed_rate_{category}"), getattr(view, f"amortisation_rate_{category}")
        assert amortised == 1 + expensed  # "X% 加计扣除" goes with "(100 + X)% 摊销" in every document
        assert expensed >= view.expensed_rate_general  # a category never gets less than every enterprise


@settings(max_examples=200, deadline=None)
@given(rd_deduction_facts(), st.sampled_from([datetime.date(2019, 12, 31), datetime.date(2024, 12, 31)]))
def test_the_base_adds_up_and_respects_both_caps(facts, as_of):
    out = assess(facts, "rd_deduction", as_of).outputs
    if out["first_five_total"] is not None:
        assert out["other_expense_allowed"] <= min(out["other_expense_total"], out["other_expense_cap"])
        # 其他相关费用 allowed is at most 10% of the in-house deductible amount (to the cent)
        assert out["other_expense_allowed"] <= out["in_house_base"] * Decimal("0.10") + CENT
    if out["deductible_base"] is not None:
        assert out["deductible_base"] == out["in_house_base"] + out["commissioned_counted"]
        domestic = out["in_house_base"] + out["commissioned_domestic_counted"]
        assert out["commissioned_overseas_counted"] * 3 <= domestic * 2 + 3 * CENT
        assert out["extra_deduction"] == (out["deductible_base"] * out["rate"]).quantize(CENT, ROUND_HALF_UP)


@settings(max_examples=100, deadline=None)
@given(rd_deduction_facts(), money(500))
def test_more_rd_never_lowers_the_extra_deduction(facts, more):
    facts = {**facts, "projects": [*(facts["projects"] or []), {"personnel": more}]}
    before = assess({**facts, "projects": facts["projects"][:-1]}, "rd_deduction", AS_OF).outputs["extra_deduction"]
    after = assess(facts, "rd_deduction", AS_OF).outputs["extra_deduction"]
    if before is not None:
        assert after >= before


@settings(max_examples=100, deadline=None)
@given(rd_deduction_facts())
def test_an_excluded_industry_gets_no_extra_deduction(facts):
    result = assess({**facts, "industry": "5171", "excluded_business_share": None}, "rd_deduction", AS_OF)
    assert result.eligible is False
    assert result.outputs["extra_deduction"] in (None, Decimal(0))
    assert result.outputs["amortisation_per_year"] == result.outputs["book_amortisation_per_year"]


def test_projects_round_trip_through_json():
    facts = {"industry": "6513", "commissioned_domestic": "10", "commissioned_overseas": 0,
             "projects": [{"name": "新型传感器", "personnel": "12.5", "other": 3}]}
    result = assess(facts, "rd_deduction", AS_OF)
    payload = json.loads(json.dumps(result.as_json(), ensure_ascii=False))
    assert payload["facts"]["projects"] == [{"name": "新型传感器", "personnel": "12.5", "direct_input": "0",
                                             "depreciation": "0", "amortisation": "0", "design_trial": "0",
                                             "other": "3"}]
    again = assess(payload["facts"], "rd_deduction", AS_OF)
    assert again.outputs == result.outputs


@pytest.mark.parametrize("projects, field", [
    ({"personnel": 1}, "projects"),
    ([{"personnel": 1, "name": 7}], "projects[0].name"),
    ([{}, {"personnel": "很多"}], "projects[1].personnel"),
])
def test_a_bad_project_names_the_project_and_field(projects, field):
    with pytest.raises(FactError) as caught:
        assess({"projects": projects}, "rd_deduction", AS_OF)
    assert caught.value.field == field
