"""Periods (统计期): a year and, for sub-annual figures, a quarter or month, always cumulative from 1 January
(the way statistics offices publish "1—9月" figures)."""

from __future__ import annotations

import calendar
import re
from datetime import date

ANNUAL = ""
_PATTERN = re.compile(r"^(|Q[1-4]|M(0[1-9]|1[0-2]))$")


def validate_period(period: str) -> str:
    """Return `period` normalised ("" for the year, "Q1"–"Q4", "M01"–"M12"), or raise ValueError in Chinese."""
    text = (period or "").strip().upper()
    if text in {"Y", "YEAR", "全年"}:
        text = ANNUAL
    if re.fullmatch(r"M[1-9]", text):
        text = f"M0{text[1]}"
    if not _PATTERN.match(text):
        raise ValueError(f"统计期“{period}”无效：应为空（全年）、Q1—Q4 或 M01—M12。")
    return text


def end_month(period: str) -> int:
    """Return the last month the cumulative period covers."""
    if period == ANNUAL:
        return 12
    if period.startswith("Q"):
        return int(period[1]) * 3
    return int(period[1:])


def period_end(year: int, period: str = ANNUAL) -> date:
    """Return the last day of the period (31 December for the year)."""
    month = end_month(period)
    return date(year, month, calendar.monthrange(year, month)[1])


def period_label(year: int, period: str = ANNUAL) -> str:
    """Return the period as bureaus write it: "2024年", "2024年1—9月"."""
    if period == ANNUAL:
        return f"{year}年"
    month = end_month(period)
    return f"{year}年1—{month}月" if month > 1 else f"{year}年1月"


def year_share_elapsed(year: int, as_of: date) -> float:
    """Return the share of `year` elapsed on `as_of` (inclusive of that day), between 0 and 1."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return ((as_of - start).days + 1) / ((end - start).days + 1)
