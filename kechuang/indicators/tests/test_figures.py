"""Reading figures (取数): the latest period known on a date, YoY against the same period, rank with ties, progress
— on a hand-checked fixture with negative growth, a zero base year and a missing region."""

from datetime import date
from decimal import Decimal

import pytest

from kechuang.core.testing.personas import DISTRICT_A, DISTRICT_B
from kechuang.indicators.figures import latest_in_year, region_figures, trend
from kechuang.indicators.tests.conftest import YEAR, aim, indicator, put

D = Decimal
OTHER_DISTRICT = "320205000000"
TURNOVER = "tech_contract_turnover"
ON = date(2024, 10, 15)


@pytest.fixture
def turnover(cast):
    """技术合同成交额 (亿元), cumulative, with 1—9月 figures of 2024 and 2023:

    玄武 (A): 90 against 120 a year ago (−25 %); a 1—6月 figure of 50 and an annual figure of 999 (not known on
    15 October) must be ignored; target 120.
    秦淮 (B): 90 against 0 a year ago (zero base); target 100.
    锡山: no 2024 figure at all.
    """
    put(TURNOVER, DISTRICT_A, 90, period="Q3")
    put(TURNOVER, DISTRICT_A, 50, period="Q2")
    put(TURNOVER, DISTRICT_A, 999)
    put(TURNOVER, DISTRICT_A, 120, year=YEAR - 1, period="Q3")
    put(TURNOVER, DISTRICT_A, 400, year=YEAR - 1)
    put(TURNOVER, DISTRICT_B, 90, period="Q3")
    put(TURNOVER, DISTRICT_B, 0, year=YEAR - 1, period="Q3")
    put(TURNOVER, OTHER_DISTRICT, 70, year=YEAR - 1, period="Q3")
    aim(TURNOVER, DISTRICT_A, 120)
    aim(TURNOVER, DISTRICT_B, 100)
    return [cast.regions[DISTRICT_A], cast.regions[DISTRICT_B], cast.regions[OTHER_DISTRICT]]


def test_latest_period_known_on_the_date(turnover):
    latest = latest_in_year(indicator(TURNOVER), [DISTRICT_A, DISTRICT_B, OTHER_DISTRICT], YEAR, ON)
    assert {code: (s.value, s.period) for code, s in latest.items()} == {DISTRICT_A: (90, "Q3"),
                                                                         DISTRICT_B: (90, "Q3")}
    # on 31 December the annual figure is known and wins
    assert latest_in_year(indicator(TURNOVER), [DISTRICT_A], YEAR, date(2024, 12, 31))[DISTRICT_A].value == 999


def test_region_figures_with_negative_growth_zero_base_tie_and_missing_region(turnover):
    a, b, other = region_figures(indicator(TURNOVER), turnover, YEAR, ON)
    # 玄武: 90 / 120 − 1 = −25.00 % (against 1—9月 of 2023, not the annual 400)
    assert (a.value, a.previous, a.change.kind, a.change.value) == (90, 120, "rate", D("-25.00"))
    assert a.period_label == "2024年1—9月"
    # 秦淮: base year 0 → no rate, with the reason
    assert (b.change.kind, b.change.value) == ("none", None)
    assert "基数为零" in b.change.reason
    # 90 = 90: 并列第1 of 2; 锡山 has no figure: unranked, no change, 数据暂缺
    assert (str(a.rank), str(b.rank), a.rank.of) == ("并列第1", "并列第1", 2)
    assert (other.value, other.rank, other.change.reason) == (None, None, "本期数据暂缺")
    assert other.progress.status == "missing"


def test_region_figures_progress_against_the_schedule(turnover):
    a, b, _other = region_figures(indicator(TURNOVER), turnover, YEAR, ON)
    # 1 January … 15 October 2024 = 274 + 15 = 289 of 366 days = 0.78961… → 0.7896
    assert a.progress.schedule == D("0.7896")
    # 玄武 90 / 120 = 0.75: 3.96 points behind → amber; 秦淮 90 / 100 = 0.9 → green
    assert (a.progress.completion, a.progress.status) == (D("0.75"), "amber")
    assert (b.progress.completion, b.progress.status) == (D("0.9"), "green")


def test_rank_can_be_among_a_wider_pool(turnover, cast):
    put(TURNOVER, OTHER_DISTRICT, 100, period="Q3")
    (a,) = region_figures(indicator(TURNOVER), [cast.regions[DISTRICT_A]], YEAR, ON, ranked=turnover)
    # 100 first; 玄武 and 秦淮 并列第2 of 3
    assert (str(a.rank), a.rank.of) == ("并列第2", 3)


def test_a_percentage_changes_by_points(cast):
    put("rd_intensity", DISTRICT_A, "2.69")
    put("rd_intensity", DISTRICT_A, "2.58", year=YEAR - 1)
    (a,) = region_figures(indicator("rd_intensity"), [cast.regions[DISTRICT_A]], YEAR, date(2024, 12, 31))
    # 2.69 − 2.58 = +0.11 个百分点
    assert (a.change.kind, a.change.value) == ("points", D("0.11"))


def test_figures_for_a_user_hide_regions_outside_scope(turnover, cast):
    a, b, _other = region_figures(indicator(TURNOVER), turnover, YEAR, ON, user=cast.district_a_officer)
    assert (a.value, b.value, b.progress.target) == (90, None, None)
    assert a.rank.of == 1


def test_trend_reads_annual_figures_known_on_the_date(turnover):
    assert trend(indicator(TURNOVER), DISTRICT_A, [2022, 2023, 2024]) == [(2022, None), (2023, 400), (2024, 999)]
    assert trend(indicator(TURNOVER), DISTRICT_A, [2023, 2024], as_of=ON) == [(2023, 400), (2024, None)]
