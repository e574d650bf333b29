"""标准化差距 (normalised shortfall): how far a failed assessment is from passing, as one comparable number.

The normalised shortfall of one change of a figure is ``|new − old| ÷ max(|old|, |new|)`` (for a series, over
the sums of the absolute values) — a share between 0 and 1, so "R&D must rise by 5 %" counts 0.05 whatever the
amount or unit — and an assessment's total is the sum over every figure each failed condition's shortfall
changes, in check order, rounded to ``GAP_PLACES``. Shared by the engine path (``screening.total_gap``) and the
screening triage (``triage.py``), which must add the same shares in the same order to get the same Decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from kechuang.eligibility.engine.result import Shortfall

GAP_PLACES = Decimal("0.0001")


def relative_change(old: Any, new: Any) -> Decimal | None:
    """Return |new − old| ÷ max(|old|, |new|) for numbers and series; None for what is not a figure."""
    if isinstance(new, bool) or new is None:
        return None
    if isinstance(new, tuple):
        if not isinstance(old, tuple) or len(old) != len(new):
            return Decimal(1) if old is None else None
        moved = sum((abs(n - o) for n, o in zip(new, old, strict=True)), Decimal(0))
        base = max(sum((abs(o) for o in old), Decimal(0)), sum((abs(n) for n in new), Decimal(0)))
        return moved / base if base else Decimal(0)
    if not isinstance(new, Decimal | int):
        return None
    if old is None:
        return Decimal(1)  # a figure that must come into being
    if isinstance(old, bool) or not isinstance(old, Decimal | int):
        return None
    base = max(abs(old), abs(new))
    return Decimal(abs(new - old)) / base if base else Decimal(0)


def add_shares(total: Decimal, facts: Mapping[str, Any], shortfalls: Iterable[Shortfall | None]) -> Decimal | None:
    """Add to ``total`` the shares of every change of ``shortfalls`` (in order); None if one of them is None
    (a failed condition no figure can fix has no shortfall, and then no total)."""
    for shortfall in shortfalls:
        if shortfall is None:
            return None
        for name, new in shortfall.changes.items():
            share = relative_change(facts.get(name), new)
            if share is not None:
                total += share
    return total
