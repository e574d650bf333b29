"""Progress (进度): completion, schedule (序时进度) — by days or a monthly profile — and green/amber/red."""

from datetime import date
from decimal import Decimal

import pytest

from kechuang.indicators.choices import Direction, ProgressStatus
from kechuang.indicators.models import Indicator
from kechuang.indicators.progress import (
    ProfileError,
    check_profile,
    completion,
    is_cumulative,
    parameter,
    progress_of,
    schedule,
    status,
)

D = Decimal
PROFILE = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 1]


def flow(**extra):
    """An accumulated flow figure (e.g. 技术合同成交额), not saved: progress needs only its attributes."""
    return Indicator(code="flow", name="流量", unit="亿元", cumulative=True, **extra)


def stock(**extra):
    return Indicator(code="stock", name="存量", unit="家", cumulative=False, **extra)


# --- schedule ---------------------------------------------------------------------------------------------


def test_schedule_by_days_elapsed():
    # 183 / 366 days of 2024 on 1 July
    assert schedule(flow(), 2024, date(2024, 7, 1)) == D("0.5")
    # 31 / 366 = 0.08469… → 0.0847
    assert schedule(flow(), 2024, date(2024, 1, 31)) == D("0.0847")


def test_schedule_before_and_after_the_year():
    assert schedule(flow(), 2024, date(2023, 12, 31)) == 0
    assert schedule(flow(), 2024, date(2024, 12, 31)) == 1
    assert schedule(flow(), 2024, date(2025, 2, 1)) == 1


def test_schedule_follows_a_monthly_profile():
    indicator = flow(schedule_profile=PROFILE)
    # end of March: the profile's March share
    assert schedule(indicator, 2023, date(2023, 3, 31)) == D("0.2")
    # 14 February 2023: 0.05 + (0.1 − 0.05) × 14/28 = 0.075
    assert schedule(indicator, 2023, date(2023, 2, 14)) == D("0.075")
    # 15 January: 0 + 0.05 × 15/31 = 0.024193… → 0.0242
    assert schedule(indicator, 2023, date(2023, 1, 15)) == D("0.0242")
    # 15 October: 0.8 + (0.85 − 0.8) × 15/31 = 0.824193… → 0.8242 (days would give 288/365 = 0.789)
    assert schedule(indicator, 2023, date(2023, 10, 15)) == D("0.8242")


def test_non_cumulative_indicators_are_expected_at_target_all_year():
    assert schedule(stock(), 2024, date(2024, 2, 1)) == 1
    # a percentage is never accumulated, even when flagged cumulative
    ratio = Indicator(code="share", name="占比", unit="%", cumulative=True)
    assert not is_cumulative(ratio)
    assert schedule(ratio, 2024, date(2024, 2, 1)) == 1
    assert schedule(stock(schedule_profile=PROFILE), 2024, date(2024, 2, 1)) == 1


@pytest.mark.parametrize(("profile", "message"), [
    ([0.1] * 11, "12 个"),
    ("0.1,0.2", "12 个"),
    ([0.1] * 11 + ["x"], "只能包含数字"),
    ([0.2, 0.1] + [0.3] * 9 + [1], "逐月不减"),
    ([-0.1] + [0.5] * 10 + [1], "逐月不减"),
    ([0.1] * 11 + [1.2], "0 到 1"),
    ([0.1] * 12, "12 月累计比例应为 1"),
])
def test_a_bad_profile_is_refused_in_chinese(profile, message):
    with pytest.raises(ProfileError, match=message):
        check_profile(profile)


def test_a_good_profile_becomes_decimals():
    assert check_profile(PROFILE)[2] == D("0.2")


# --- completion -------------------------------------------------------------------------------------------


def test_completion_higher_is_better():
    assert completion(D(80), D(100), Direction.UP) == D("0.8")
    # 1 / 3 = 0.3333…
    assert completion(D(1), D(3), Direction.UP) == D("0.3333")
    assert completion(D(130), D(100), Direction.UP) == D("1.3")


def test_completion_lower_is_better_is_target_over_actual():
    # energy use target 5, actual 4: 5 / 4 = 1.25 (better than target)
    assert completion(D(4), D(5), Direction.DOWN) == D("1.25")
    assert completion(D(8), D(5), Direction.DOWN) == D("0.625")
    assert completion(D(0), D(5), Direction.DOWN) is None


@pytest.mark.parametrize(("actual", "target"), [(None, D(100)), (D(50), None), (D(50), D(0)), (D(50), D(-1))])
def test_completion_is_missing_without_a_figure_or_a_positive_target(actual, target):
    assert completion(actual, target, Direction.UP) is None


# --- status ---------------------------------------------------------------------------------------------


ON = date(2024, 7, 1)


def test_status_green_on_or_ahead_of_schedule():
    assert status(D("0.5"), D("0.5"), on=ON) == ProgressStatus.GREEN
    assert status(D("0.9"), D("0.5"), on=ON) == ProgressStatus.GREEN


def test_amber_margin_edge_is_inclusive():
    # exactly 5 points behind (0.50 − 0.45 = 0.05 = amber_margin) is amber; 0.0001 more is red
    assert status(D("0.45"), D("0.5"), on=ON) == ProgressStatus.AMBER
    assert status(D("0.4499"), D("0.5"), on=ON) == ProgressStatus.RED


def test_status_missing_without_completion():
    assert status(None, D("0.5"), on=ON) == ProgressStatus.MISSING


def test_amber_margin_is_a_dated_parameter():
    assert parameter("amber_margin", date(2024, 1, 1)) == D("0.05")
    with pytest.raises(LookupError):
        parameter("amber_margin", date(2015, 12, 31))


def test_progress_of_a_flow_at_mid_year():
    # 45 of 100 on 1 July 2024: completion 0.45, schedule 0.5 → 5 points behind → amber
    progress = progress_of(flow(), D(45), D(100), year=2024, as_of=ON)
    assert (progress.completion, progress.schedule, progress.status) == (D("0.45"), D("0.5"), "amber")
    assert progress.status_label == "预警"
    # 44.99 of 100: 0.4499 → red
    assert progress_of(flow(), D("44.99"), D(100), year=2024, as_of=ON).status == ProgressStatus.RED


def test_progress_of_a_stock_is_judged_against_the_full_target():
    # 45 of 100 enterprises on 1 July: schedule 1, completion 0.45 → 55 points behind → red
    progress = progress_of(stock(), D(45), D(100), year=2024, as_of=ON)
    assert (progress.schedule, progress.status) == (1, ProgressStatus.RED)


def test_progress_lower_is_better():
    indicator = stock(direction=Direction.DOWN)
    # target 5, actual 5.2: 5 / 5.2 = 0.961538… → 0.9615, 3.85 points behind → amber
    progress = progress_of(indicator, D("5.2"), D(5), year=2024, as_of=ON)
    assert (progress.completion, progress.status) == (D("0.9615"), ProgressStatus.AMBER)
    # actual 4 beats target 5 → 1.25, green
    assert progress_of(indicator, D(4), D(5), year=2024, as_of=ON).status == ProgressStatus.GREEN
    # actual 6: 5 / 6 = 0.8333 → red
    assert progress_of(indicator, D(6), D(5), year=2024, as_of=ON).status == ProgressStatus.RED


def test_progress_without_target_is_missing():
    progress = progress_of(flow(), D(45), None, year=2024, as_of=ON)
    assert (progress.completion, progress.status, progress.status_label) == (None, "missing", "数据暂缺")
