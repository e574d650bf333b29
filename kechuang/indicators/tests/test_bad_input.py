"""Bad input (issue 5): refused with a Chinese message, nothing written."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.audit.models import ObjectChange
from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B, OTHER_CITY, STREET_A
from kechuang.indicators.collection import close_round, open_round, review, save_draft, submit
from kechuang.indicators.models import IndicatorValue, Submission, SubmissionItem, Target
from kechuang.indicators.services import enter_value, freeze_values, parse_figure, set_target
from kechuang.indicators.tests.conftest import YEAR, indicator, put

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def message_of(error: Exception) -> str:
    return "；".join(error.messages) if isinstance(error, ValidationError) else str(error)


@pytest.fixture
def nothing_written(db):
    """Assert, after the test, that no indicator value, target, submission item or change-log row appeared."""
    before = (IndicatorValue.objects.count(), Target.objects.count(), SubmissionItem.objects.count(),
              ObjectChange.objects.count())
    yield
    after = (IndicatorValue.objects.count(), Target.objects.count(), SubmissionItem.objects.count(),
             ObjectChange.objects.count())
    assert after == before


# --- targets outside scope -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "region"), [
    ("district_a_officer", DISTRICT_B),  # a sibling district
    ("district_a_officer", CITY),  # its own parent
    ("street_a_officer", DISTRICT_A),
    ("city_officer", OTHER_CITY),  # another city
    ("leader", DISTRICT_A),  # 局领导 reads, does not set
    ("enterprise_user", STREET_A),
    ("expert", STREET_A),
])
def test_target_outside_the_users_scope_is_refused(cast, nothing_written, persona, region):
    with pytest.raises(PermissionDenied) as caught:
        set_target(indicator=indicator("tech_contract_turnover"), region=cast.regions[region], year=YEAR,
                   value="10", actor=cast.users[persona])
    assert "不在您的管辖范围内" in str(caught.value)


def test_changing_an_existing_target_outside_scope_leaves_it(cast):
    target = set_target(indicator=indicator("tech_contract_turnover"), region=cast.regions[DISTRICT_B],
                        year=YEAR, value="40", actor=cast.city_officer)
    with pytest.raises(PermissionDenied):
        set_target(indicator=indicator("tech_contract_turnover"), region=cast.regions[DISTRICT_B], year=YEAR,
                   value="1", actor=cast.district_a_officer)
    target.refresh_from_db()
    assert target.value == 40


@pytest.mark.parametrize(("raw", "message"), [
    ("abc", "目标值“abc”不是数字"),
    ("", "不是数字"),
    ("NaN", "超出允许范围"),
    ("-10", "目标值不能为负数"),
])
def test_bad_target_figure_is_refused(cast, nothing_written, raw, message):
    with pytest.raises(ValidationError) as caught:
        set_target(indicator=indicator("tech_contract_turnover"), region=cast.regions[DISTRICT_A], year=YEAR,
                   value=raw, actor=cast.city_officer)
    assert message in message_of(caught.value)


# --- values ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["hnte_total", "enterprise_rd_ratio", "rd_intensity"])
def test_a_value_for_a_computed_or_derived_indicator_is_refused(cast, nothing_written, code):
    with pytest.raises(ValidationError) as caught:
        enter_value(indicator=indicator(code), region=cast.regions[DISTRICT_A], year=YEAR, period="",
                    value="12", actor=cast.city_officer)
    assert "数值由平台生成，不能录入" in message_of(caught.value)


@pytest.mark.parametrize(("code", "raw", "message"), [
    ("gdp", "一千五百", "不是数字"),
    ("gdp", "12abc", "不是数字"),
    ("gdp", "", "不是数字"),
    ("gdp", None, "不是数字"),
    ("gdp", "NaN", "超出允许范围"),
    ("gdp", "sNaN", "超出允许范围"),
    ("gdp", "Infinity", "超出允许范围"),
    ("gdp", "-inf", "超出允许范围"),
    ("gdp", "1e15", "超出允许范围"),  # the field holds 16 digits before the point
    ("gdp", "-1500", "不能为负数"),
    ("fiscal_st_share", "1000.01", "超出合理范围"),  # a percentage
    ("fiscal_st_share", "-100.5", "超出合理范围"),
    ("rd_expenditure", "-0.01", "不能为负数"),
])
def test_a_bad_figure_is_refused_in_chinese(cast, nothing_written, code, raw, message):
    with pytest.raises(ValidationError) as caught:
        enter_value(indicator=indicator(code), region=cast.regions[DISTRICT_A], year=YEAR, period="",
                    value=raw, actor=cast.city_officer)
    assert message in message_of(caught.value)
    assert CHINESE.search(message_of(caught.value))


def test_figures_in_range_are_accepted():
    assert parse_figure(" 1,234.5 ") == Decimal("1234.5")
    assert parse_figure("999999999999999.9999") == Decimal("999999999999999.9999")
    assert parse_figure("-3") == -3  # a growth rate may be negative; the indicator decides


def test_a_value_outside_the_users_scope_is_refused(cast, nothing_written):
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        enter_value(indicator=indicator("gdp"), region=cast.regions[DISTRICT_B], year=YEAR, period="",
                    value="100", actor=cast.district_a_officer)


def test_a_bad_period_is_refused(cast, nothing_written):
    with pytest.raises(ValidationError, match="统计期“Q5”无效") as caught:
        enter_value(indicator=indicator("gdp"), region=cast.regions[DISTRICT_A], year=YEAR, period="Q5",
                    value="100", actor=cast.city_officer)
    assert "period" in caught.value.message_dict
    with pytest.raises(ValidationError, match="统计期“M13”无效"):
        set_target(indicator=indicator("gdp"), region=cast.regions[DISTRICT_A], year=YEAR, period="M13",
                   value="100", actor=cast.city_officer)


def test_a_frozen_value_cannot_be_entered_over(cast):
    row = put("gdp", DISTRICT_A, 1500)
    freeze_values(IndicatorValue.objects.filter(pk=row.pk), actor=cast.city_officer)
    with pytest.raises(ValidationError, match="已冻结为正式上报数"):
        enter_value(indicator=indicator("gdp"), region=cast.regions[DISTRICT_A], year=YEAR, period="",
                    value="1600", actor=cast.city_officer)
    row.refresh_from_db()
    assert row.value == 1500


# --- collection after the round is closed -----------------------------------------------------------------


@pytest.fixture
def closed_round(cast):
    """A round of the city with district A's figures submitted, then closed."""
    opened = open_round(name="2024年度", region=cast.regions[CITY], year=YEAR, period="",
                        indicators=[indicator("gdp")], deadline=date(2025, 1, 31), actor=cast.city_officer)
    mine = opened.submissions.get(region_id=DISTRICT_A)
    save_draft(mine, {indicator("gdp").pk: "1500"}, {}, actor=cast.district_a_officer)
    submit(mine, actor=cast.district_a_officer)
    close_round(opened, actor=cast.city_officer)
    return opened


def test_a_draft_after_the_round_is_closed_is_refused(cast, closed_round, nothing_written):
    other = closed_round.submissions.get(region_id=DISTRICT_B)
    with pytest.raises(ValidationError, match="已关闭，不能再报送或修改"):
        save_draft(other, {indicator("gdp").pk: "900"}, {}, actor=cast.district_b_officer)


def test_a_submission_after_the_round_is_closed_is_refused(cast, closed_round, nothing_written):
    other = closed_round.submissions.get(region_id=DISTRICT_B)
    with pytest.raises(ValidationError, match="已关闭"):
        submit(other, actor=cast.district_b_officer)
    other.refresh_from_db()
    assert other.status == "draft"


def test_accepting_after_the_round_is_closed_is_refused(cast, closed_round, nothing_written):
    mine = closed_round.submissions.get(region_id=DISTRICT_A)
    with pytest.raises(ValidationError, match="已关闭"):
        review(mine, accept=True, actor=cast.city_officer)
    assert Submission.objects.get(pk=mine.pk).status == "submitted"
    assert not IndicatorValue.objects.filter(indicator__code="gdp").exists()
