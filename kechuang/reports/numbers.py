"""Numbers as bureaus write them (数字写法): 亿元 with two decimals (万元 above 10,000 becomes 亿元), counts as
integers with their measure word (家、项、件), percentages to two decimals, changes in 个百分点, and
"（数据暂缺）" for a missing figure — never 0 or "xx"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from kechuang.reports.content import MISSING

COUNT_UNITS = frozenset({"家", "项", "件", "个", "人", "人次"})
TEN_THOUSAND = Decimal(10000)


def _fixed(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,f}"
    return text


def quantity(value: Decimal | None, unit: str, decimals: int = 2) -> str:
    """Return a figure with its unit: "98.45亿元", "1.25亿元" (from 12,500 万元), "634家", "2.73%"."""
    if value is None:
        return MISSING
    value = Decimal(value)
    if unit in COUNT_UNITS:
        return f"{_fixed(value, 0)}{unit}"
    if unit == "%":
        return f"{_fixed(value, decimals)}%"
    if unit == "万元" and abs(value) >= TEN_THOUSAND:
        return f"{_fixed(value / TEN_THOUSAND, 2)}亿元"
    return f"{_fixed(value, decimals)}{unit}"


def rate(value: Decimal) -> str:
    """A growth rate's magnitude, to one decimal as bureaus print it: "8.9%"."""
    return f"{_fixed(abs(Decimal(value)), 1)}%"


def points(value: Decimal) -> str:
    """A change in percentage points' magnitude: "0.11"."""
    return _fixed(abs(Decimal(value)), 2)


def percent(ratio: Decimal) -> str:
    """A completion ratio as a percentage: Decimal("1.0312") → "103.1%"."""
    return f"{_fixed(Decimal(ratio) * 100, 1)}%"
