"""高新技术企业认定: what the YAML cases cannot say — shortfall texts, absent shortfalls, hints, notes."""

from decimal import Decimal

import pytest
from hypothesis import given, settings

from kechuang.eligibility.engine.programme import assess
from kechuang.eligibility.rules.hnte import growth_rate
from kechuang.eligibility.tests.strategies_hnte import AS_OF, hnte_facts

OK = {"registered_on": "2020-03-01", "owns_core_ip": True, "integrity_ok": True, "hightech_field": "1",
      "employees": 100, "tech_staff": 20, "sales_revenue_3y": [4000, 4800, 6000], "rd_expense_3y": [180, 200, 260],
      "rd_overseas_3y": [0, 0, 0], "hightech_income": 4000, "total_income": 6500, "class1_ip": 1, "class2_ip": 6,
      "ip_self_developed": True, "standards_led": 0, "conversions_3y": [5, 5, 5],
      "net_assets_3y": [1000, 1300, 1800], "tech_advancement_points": 7, "core_support_points": 7,
      "rd_management_points": 16}
WEAK = {**OK, "class1_ip": 0, "class2_ip": 0, "conversions_3y": [0, 0, 0], "net_assets_3y": [1000, 900, 850]}


def hnte(facts, as_of=AS_OF):
    return assess(facts, "hnte", as_of)


def test_the_rd_shortfall_reads_as_the_issue_writes_it():
    result = hnte({**OK, "sales_revenue_3y": [1000, 1000, 1000], "rd_expense_3y": [50, 50, 41]})
    assert result.check("rd_ratio").shortfall.message.startswith("近三年研发费用合计还差 9.0 万元")


def test_extra_rd_is_domestic_so_a_given_domestic_series_rises_with_it():
    facts = {**OK, "rd_overseas_3y": None, "rd_domestic_3y": [50, 50, 41],
             "sales_revenue_3y": [1000, 1000, 1000], "rd_expense_3y": [50, 50, 41]}
    fixed = hnte(hnte(facts).check("rd_ratio").shortfall.apply(hnte(facts).facts))
    assert fixed.check("rd_ratio").passed is True and fixed.check("rd_domestic").passed is True


def test_moving_rd_home_takes_from_the_latest_year_first_and_keeps_the_total():
    shortfall = hnte({**OK, "rd_overseas_3y": [80, 100, 250]}).check("rd_domestic").shortfall
    # 640 in total, 430 abroad: 174 must come home; the latest year (250 abroad) covers it all.
    assert shortfall.amount == Decimal("174")
    assert shortfall.changes == {"rd_overseas_3y": (Decimal(80), Decimal(100), Decimal(76))}


def test_registered_too_recently_names_the_date_and_has_no_shortfall():
    check = hnte({**OK, "registered_on": "2024-01-01"}).check("registered")
    assert check.passed is False and check.shortfall is None
    assert "2024-12-31" in check.note  # 365 calendar days from 2024-01-01 (a leap year)


def test_a_low_score_shortfall_lifts_the_high_end_assuming_top_expert_marks():
    result = hnte({**WEAK, "tech_advancement_points": None, "core_support_points": None,
                   "rd_management_points": None})
    shortfall = result.check("score").shortfall
    assert shortfall.amount == 29  # the high end is 42; it must exceed 70
    assert "科技成果转化再增加 15 项" in shortfall.message and "专家评审项按所在档次上限计" in shortfall.message
    assert shortfall.changes["rd_management_points"] == 20
    assert hnte(shortfall.apply(result.facts)).score.low == 72


def test_no_score_shortfall_when_no_data_change_can_reach_the_pass_mark():
    result = hnte({**WEAK, "tech_advancement_points": 1, "core_support_points": 1, "rd_management_points": 2})
    check = result.check("score")
    assert check.passed is False and check.shortfall is None
    assert "无法高于" in check.note


def test_hints_say_what_one_more_ip_would_add():
    result = hnte({**OK, "class1_ip": 0, "class2_ip": 2, "standards_led": 1})
    assert "再获得 1 项Ⅱ类知识产权，知识产权得分最多可增加 2 分" in [h.message for h in result.hints]


def test_an_expert_pick_at_either_end_of_the_grade_is_accepted():
    for picked in (7, 8):
        assert hnte({**OK, "ip_quantity_points": picked}).score is not None


@pytest.mark.parametrize("series, rate", [
    ((Decimal(1000), Decimal(1300), Decimal(1800)), Decimal("0.3423")),   # RULES §2.5 例5
    ((Decimal(0), Decimal(800), Decimal(1000)), Decimal("0.25")),          # Y1 = 0
    ((Decimal(1000), Decimal(900), Decimal(850)), Decimal("-0.0778")),     # negative ⇒ F
    ((Decimal(800), Decimal(1000)), Decimal("0.25")),                      # two years
])
def test_growth_rate_follows_the_formula_and_its_zero_rules(series, rate):
    assert growth_rate(series)[0].quantize(Decimal("0.0001")) == rate


@pytest.mark.parametrize("series", [(Decimal(500), Decimal(0), Decimal(900)), (Decimal(1000),),
                                    (Decimal(-100), Decimal(200), Decimal(300))])
def test_growth_rate_is_none_where_the_rules_give_zero_points(series):
    assert growth_rate(series)[0] is None


def test_the_strategy_produces_every_kind_of_shortfall():
    """Guard against a vacuous property test: each failed numeric check must be generated and fixable."""
    seen = set()

    @settings(max_examples=300, deadline=None)
    @given(hnte_facts())
    def collect(facts):
        seen.update(s.check for s in hnte(facts).shortfalls)

    collect()
    assert {"tech_staff", "rd_ratio", "rd_domestic", "hightech_income", "score"} <= seen

