"""Collection rounds (数据采集): open → draft → submit → accept / return, the change check, late regions, scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.audit.models import DomainEvent
from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B, STREET_A
from kechuang.indicators.collection import (
    close_round,
    late_submissions,
    open_round,
    remind_late,
    review,
    save_draft,
    submission_problems,
    submit,
)
from kechuang.indicators.models import CollectionRound, IndicatorValue, Submission, SubmissionItem
from kechuang.indicators.tests.conftest import YEAR, indicator, put, stored

D = Decimal
DEADLINE = date(2025, 1, 31)


@pytest.fixture
def city_round(cast):
    """The city asks its two districts for 2024 GDP and R&D expenditure."""
    return open_round(name="2024年度研发投入采集", region=cast.regions[CITY], year=YEAR, period="",
                      indicators=[indicator("gdp"), indicator("rd_expenditure")], deadline=DEADLINE,
                      actor=cast.city_officer)


def submission_of(collection_round, region):
    return Submission.objects.get(collection_round=collection_round, region_id=region)


def figures(gdp, rd):
    return {indicator("gdp").pk: gdp, indicator("rd_expenditure").pk: rd}


def fill_and_submit(submission, actor, gdp="1500", rd="45", explanations=None):
    save_draft(submission, figures(gdp, rd), explanations or {}, actor=actor)
    return submit(submission, actor=actor)


def events(kind):
    return DomainEvent.objects.filter(event_type=f"indicators.collection.{kind}")


# --- opening ------------------------------------------------------------------------------------------------


def test_open_round_creates_one_draft_per_child_region(city_round):
    assert sorted(city_round.submissions.values_list("region_id", "status")) == [
        (DISTRICT_A, "draft"), (DISTRICT_B, "draft")]
    assert events("opened").get().data == {"indicators": ["gdp", "rd_expenditure"]}


def test_a_district_opens_a_round_for_its_streets(cast):
    opened = open_round(name="街道采集", region=cast.regions[DISTRICT_A], year=YEAR, period="q3",
                        indicators=[indicator("gdp")], deadline=DEADLINE, actor=cast.district_a_officer)
    assert opened.period == "Q3"
    assert list(opened.submissions.values_list("region_id", flat=True)) == [STREET_A]


def test_a_round_cannot_ask_for_computed_figures(cast):
    with pytest.raises(ValidationError, match="由平台生成，不能采集：高新技术企业数"):
        open_round(name="x", region=cast.regions[CITY], year=YEAR, period="",
                   indicators=[indicator("gdp"), indicator("hnte_total")], deadline=DEADLINE,
                   actor=cast.city_officer)
    with pytest.raises(ValidationError, match="至少选择一个"):
        open_round(name="x", region=cast.regions[CITY], year=YEAR, period="", indicators=[], deadline=DEADLINE,
                   actor=cast.city_officer)
    assert not CollectionRound.objects.exists()


@pytest.mark.parametrize("persona", ["district_a_officer", "leader", "enterprise_user"])
def test_only_an_officer_of_the_region_opens_its_round(cast, persona):
    with pytest.raises(PermissionDenied):
        open_round(name="x", region=cast.regions[CITY], year=YEAR, period="", indicators=[indicator("gdp")],
                   deadline=DEADLINE, actor=cast.users[persona])
    assert not CollectionRound.objects.exists()


# --- draft and submit -------------------------------------------------------------------------------------------


def test_draft_then_submit(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    items = save_draft(mine, figures("1,500", ""), {}, actor=cast.district_a_officer)
    assert [(i.indicator.code, i.value) for i in items] == [("gdp", 1500)]
    with pytest.raises(ValidationError, match="“全社会R&D经费支出”未填写"):
        submit(mine, actor=cast.district_a_officer)
    done = fill_and_submit(mine, cast.district_a_officer)
    assert (done.status, done.submitted_by) == ("submitted", cast.district_a_officer)
    assert SubmissionItem.objects.filter(submission=mine).count() == 2  # the draft's gdp row was updated
    assert events("submitted").filter(object_id=str(mine.pk)).count() == 1


def test_a_bad_figure_in_a_draft_is_refused_by_indicator(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    with pytest.raises(ValidationError) as caught:
        save_draft(mine, figures("abc", "-3"), {}, actor=cast.district_a_officer)
    assert "不是数字" in caught.value.message_dict["gdp"][0]
    assert "不能为负数" in caught.value.message_dict["rd_expenditure"][0]
    assert not SubmissionItem.objects.exists()


def test_a_figure_the_round_did_not_ask_for_is_refused(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    with pytest.raises(ValidationError, match="本轮未要求的指标"):
        save_draft(mine, {indicator("hightech_value_added").pk: "5"}, {}, actor=cast.district_a_officer)


def test_a_large_change_against_last_year_needs_an_explanation(cast, city_round):
    put("gdp", DISTRICT_A, 1000, year=YEAR - 1)
    mine = submission_of(city_round, DISTRICT_A)
    save_draft(mine, figures("1500", "45"), {}, actor=cast.district_a_officer)
    # 1,500 / 1,000 − 1 = 50 % > 30 %
    assert submission_problems(mine) == [
        "“地区生产总值”与上年同期（1000）相比变动 50.0%，超过 30%，须填写变动说明。"]
    with pytest.raises(ValidationError, match="须填写变动说明"):
        submit(mine, actor=cast.district_a_officer)
    assert submission_of(city_round, DISTRICT_A).status == "draft"
    save_draft(mine, figures("1500", "45"), {indicator("gdp").pk: "新增两家大型企业投产"},
               actor=cast.district_a_officer)
    assert submit(mine, actor=cast.district_a_officer).status == "submitted"


def test_a_change_exactly_at_the_threshold_needs_no_explanation(cast, city_round):
    put("gdp", DISTRICT_A, 1000, year=YEAR - 1)
    mine = submission_of(city_round, DISTRICT_A)
    # 1,300 / 1,000 − 1 = 30 %, not more than 30 %; a fall of 30 % (700) likewise
    save_draft(mine, figures("1300", "45"), {}, actor=cast.district_a_officer)
    assert submission_problems(mine) == []
    save_draft(mine, figures("700", "45"), {}, actor=cast.district_a_officer)
    assert submission_problems(mine) == []
    save_draft(mine, figures("699", "45"), {}, actor=cast.district_a_officer)
    assert len(submission_problems(mine)) == 1


def test_a_submitted_draft_cannot_be_changed_nor_resubmitted(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    fill_and_submit(mine, cast.district_a_officer)
    mine.refresh_from_db()
    with pytest.raises(ValidationError, match="已报送的数据不能修改"):
        save_draft(mine, figures("1", "1"), {}, actor=cast.district_a_officer)
    with pytest.raises(ValidationError, match="不能报送"):
        submit(mine, actor=cast.district_a_officer)
    assert SubmissionItem.objects.get(submission=mine, indicator__code="gdp").value == 1500


# --- review -------------------------------------------------------------------------------------------------


def test_accepting_stores_collected_values_and_derived_figures(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    fill_and_submit(mine, cast.district_a_officer)
    accepted = review(mine, accept=True, actor=cast.city_officer)
    assert (accepted.status, accepted.reviewed_by) == ("accepted", cast.city_officer)
    row = IndicatorValue.objects.get(indicator__code="gdp", region_id=DISTRICT_A, year=YEAR)
    assert (row.value, row.origin, row.collection_round, row.entered_by) == (1500, "collected", city_round,
                                                                            cast.city_officer)
    # 45 / 1,500 × 100 = 3 %
    assert stored("rd_intensity", DISTRICT_A) == 3
    assert events("accepted").filter(object_id=str(mine.pk)).exists()


def test_returning_needs_a_note_and_lets_the_region_correct(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    fill_and_submit(mine, cast.district_a_officer)
    with pytest.raises(ValidationError, match="退回时必须填写审核意见"):
        review(mine, accept=False, note="  ", actor=cast.city_officer)
    assert submission_of(city_round, DISTRICT_A).status == "submitted"
    returned = review(mine, accept=False, note="GDP 与统计公报不符", actor=cast.city_officer)
    assert (returned.status, returned.review_note) == ("returned", "GDP 与统计公报不符")
    assert not IndicatorValue.objects.exists()
    assert events("returned").get().message == "退回：GDP 与统计公报不符"
    returned.refresh_from_db()
    assert fill_and_submit(returned, cast.district_a_officer, gdp="1480").status == "submitted"


def test_only_a_submitted_submission_is_reviewed(cast, city_round):
    with pytest.raises(ValidationError, match="不能审核"):
        review(submission_of(city_round, DISTRICT_B), accept=True, actor=cast.city_officer)


# --- scope ------------------------------------------------------------------------------------------------


def test_a_district_officer_cannot_fill_or_submit_for_another_district(cast, city_round):
    theirs = submission_of(city_round, DISTRICT_B)
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        save_draft(theirs, figures("1", "1"), {}, actor=cast.district_a_officer)
    fill_and_submit(theirs, cast.district_b_officer)
    theirs.status = "draft"  # even a stale copy in hand does not let another district submit
    with pytest.raises(PermissionDenied):
        submit(theirs, actor=cast.district_a_officer)
    assert submission_of(city_round, DISTRICT_B).submitted_by == cast.district_b_officer


def test_a_district_officer_cannot_accept_its_own_submission_to_the_city(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    fill_and_submit(mine, cast.district_a_officer)
    with pytest.raises(PermissionDenied, match="只有发起采集的上级区域人员可以审核"):
        review(mine, accept=True, actor=cast.district_a_officer)
    assert not IndicatorValue.objects.exists()


def test_street_to_district_round_is_reviewed_by_the_district_not_the_street(cast):
    opened = open_round(name="街道 2024 年度采集", region=cast.regions[DISTRICT_A], year=YEAR, period="",
                        indicators=[indicator("gdp")], deadline=DEADLINE, actor=cast.district_a_officer)
    street = submission_of(opened, STREET_A)
    save_draft(street, {indicator("gdp").pk: "300"}, {}, actor=cast.street_a_officer)
    submit(street, actor=cast.street_a_officer)
    with pytest.raises(PermissionDenied):
        review(street, accept=True, actor=cast.street_a_officer)
    with pytest.raises(PermissionDenied):
        review(street, accept=True, actor=cast.district_b_officer)
    review(street, accept=True, actor=cast.district_a_officer)
    assert stored("gdp", STREET_A) == 300


# --- deadlines, reminders, closing ----------------------------------------------------------------------------


def test_late_regions_are_those_not_submitted_after_the_deadline(cast, city_round):
    fill_and_submit(submission_of(city_round, DISTRICT_A), cast.district_a_officer)
    assert late_submissions(city_round, as_of=DEADLINE) == []  # the deadline day itself is not late
    late = late_submissions(city_round, as_of=date(2025, 2, 1))
    assert [s.region_id for s in late] == [DISTRICT_B]


def test_a_returned_submission_is_late_too(cast, city_round):
    mine = submission_of(city_round, DISTRICT_A)
    fill_and_submit(mine, cast.district_a_officer)
    review(mine, accept=False, note="请补充说明", actor=cast.city_officer)
    assert sorted(s.region_id for s in late_submissions(city_round, as_of=date(2025, 2, 1))) == [
        DISTRICT_A, DISTRICT_B]


def test_remind_late_marks_and_records_each_late_region(cast, city_round):
    fill_and_submit(submission_of(city_round, DISTRICT_A), cast.district_a_officer)
    assert remind_late(city_round, as_of=DEADLINE, actor=cast.city_officer) == []
    reminded = remind_late(city_round, as_of=date(2025, 2, 3), actor=cast.city_officer)
    assert [s.region_id for s in reminded] == [DISTRICT_B]
    assert submission_of(city_round, DISTRICT_B).reminded_at is not None
    assert submission_of(city_round, DISTRICT_A).reminded_at is None
    assert list(events("reminded").values_list("object_id", flat=True)) == [
        str(submission_of(city_round, DISTRICT_B).pk)]


def test_only_the_organiser_closes_a_round(cast, city_round):
    with pytest.raises(PermissionDenied):
        close_round(city_round, actor=cast.district_a_officer)
    city_round.refresh_from_db()
    assert city_round.status == "open"
    close_round(city_round, actor=cast.city_officer)
    city_round.refresh_from_db()
    assert city_round.status == "closed"
    assert events("closed").count() == 1
