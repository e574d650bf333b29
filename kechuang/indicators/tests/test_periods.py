"""Periods (统计期): normalisation, last day, the label bureaus write, and the share of the year elapsed."""

from datetime import date

import pytest

from kechuang.indicators.periods import (
    end_month,
    period_end,
    period_label,
    validate_period,
    year_share_elapsed,
)


@pytest.mark.parametrize(("raw", "normalised"), [
    ("", ""), (None, ""), ("  ", ""), ("Y", ""), ("year", ""), ("全年", ""),
    ("q3", "Q3"), (" Q1 ", "Q1"), ("m9", "M09"), ("M1", "M01"), ("m12", "M12"), ("M10", "M10"),
])
def test_validate_period_normalises_what_officers_type(raw, normalised):
    assert validate_period(raw) == normalised


@pytest.mark.parametrize("raw", ["Q0", "Q5", "M00", "M13", "M123", "2024", "H1", "Q12", "M-1"])
def test_validate_period_refuses_other_text_in_chinese(raw):
    with pytest.raises(ValueError, match="统计期.*无效"):
        validate_period(raw)


def test_end_month_of_each_kind_of_period():
    assert [end_month(p) for p in ("", "Q1", "Q3", "M01", "M11")] == [12, 3, 9, 1, 11]


def test_period_end_is_the_last_day_of_the_cumulative_period():
    assert period_end(2024) == date(2024, 12, 31)
    assert period_end(2024, "Q3") == date(2024, 9, 30)
    assert period_end(2024, "M02") == date(2024, 2, 29)  # leap year
    assert period_end(2023, "M02") == date(2023, 2, 28)
    assert period_end(2023, "Q1") == date(2023, 3, 31)


def test_period_label_as_bureaus_write_it():
    assert period_label(2024) == "2024年"
    assert period_label(2024, "Q3") == "2024年1—9月"
    assert period_label(2024, "M02") == "2024年1—2月"
    assert period_label(2024, "M01") == "2024年1月"


def test_year_share_elapsed_edges():
    assert year_share_elapsed(2024, date(2023, 12, 31)) == 0.0
    assert year_share_elapsed(2024, date(2024, 1, 1)) == 1 / 366  # the first day counts (inclusive)
    # 1 January … 1 July 2024 = 31+29+31+30+31+30 + 1 = 183 days of 366
    assert year_share_elapsed(2024, date(2024, 7, 1)) == 0.5
    # 2023 is not a leap year: 1 January … 2 July = 183 days of 365
    assert year_share_elapsed(2023, date(2023, 7, 2)) == 183 / 365
    assert year_share_elapsed(2024, date(2024, 12, 30)) == 365 / 366
    assert year_share_elapsed(2024, date(2024, 12, 31)) == 1.0
    assert year_share_elapsed(2024, date(2025, 3, 1)) == 1.0
