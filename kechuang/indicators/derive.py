"""Figures derived from stored values, never typed in: year-on-year change and rank among sibling regions.

- growth (增速) = current ÷ previous − 1, for amounts and counts; undefined on a zero or negative base
  ("上年基数为零") rather than infinite;
- a percentage changes by 个百分点 (current − previous), not by a rate;
- rank (排名) among regions with the same parent, best first by the indicator's direction; equal figures share a
  rank (并列) and the next rank skips (1, 1, 3 — the competition ranking bureaus use: "并列第一").
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kechuang.indicators.choices import Direction

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Change:
    """A year-on-year change: `kind` is "rate" (增速, in %), "points" (个百分点) or "none" with a `reason`."""

    kind: str
    value: Decimal | None = None
    reason: str = ""

    @property
    def direction(self) -> int:
        """1 for a rise, −1 for a fall, 0 for flat or undefined."""
        if self.value is None or self.value == 0:
            return 0
        return 1 if self.value > 0 else -1


def change(current: Decimal | None, previous: Decimal | None, *, percentage: bool) -> Change:
    """Return the year-on-year change of a figure (see the module docstring)."""
    if current is None:
        return Change("none", reason="本期数据暂缺")
    if previous is None:
        return Change("none", reason="上年同期数据暂缺")
    if percentage:
        return Change("points", (current - previous).quantize(Decimal("0.01")))
    if previous <= 0:
        return Change("none", reason="上年基数为零或为负，增速不计算")
    return Change("rate", ((current / previous - 1) * HUNDRED).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Rank:
    position: int
    tied: bool
    of: int

    def __str__(self) -> str:
        return f"{'并列' if self.tied else ''}第{self.position}"


def rank(values: Mapping[Hashable, Decimal | None], direction: str = Direction.UP) -> dict[Hashable, Rank]:
    """Return each key's Rank among the keys with a figure; keys without one get no rank."""
    present = [(key, value) for key, value in values.items() if value is not None]
    ordered = sorted(present, key=lambda kv: kv[1], reverse=direction != Direction.DOWN)
    counts: dict[Decimal, int] = {}
    for _key, value in ordered:
        counts[value] = counts.get(value, 0) + 1
    result: dict[Hashable, Rank] = {}
    position = 0
    previous: Decimal | None = None
    for index, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            position, previous = index, value
        result[key] = Rank(position, counts[value] > 1, len(ordered))
    return result
