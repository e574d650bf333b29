"""Progress (进度): completion against target, schedule (序时进度) and the green/amber/red status.

- completion (完成率) = actual ÷ target for "higher is better"; target ÷ actual for "lower is better";
- schedule (序时进度) = the share of the year elapsed on the as-of date, or the indicator's monthly profile —
  for cumulative figures only (sums such as 技术合同成交额). A ratio or a stock that is not accumulated over the
  year (R&D强度, 占比, a count of enterprises holding a title) is expected at its target at any time: schedule 1;
- status: green when completion ≥ schedule; amber when behind by no more than the dated `amber_margin`
  (parameters/progress.yaml); red when further behind; "数据暂缺" when the actual or the target is missing.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from kechuang.indicators.choices import Direction, ProgressStatus
from kechuang.indicators.periods import year_share_elapsed

PARAMETERS = Path(__file__).parent / "parameters" / "progress.yaml"
ONE = Decimal(1)


class ProfileError(ValueError):
    """A monthly schedule profile that is not twelve rising shares ending at 1."""


def check_profile(profile: Any) -> list[Decimal]:
    """Return the profile as Decimals, or raise ProfileError with a Chinese message."""
    if not isinstance(profile, list) or len(profile) != 12:
        raise ProfileError("月度进度曲线应为 12 个累计比例（1—12 月）。")
    try:
        shares = [Decimal(str(x)) for x in profile]
    except Exception:  # noqa: BLE001 — any non-number
        raise ProfileError("月度进度曲线只能包含数字。") from None
    if any(s < 0 or s > 1 for s in shares) or any(b < a for a, b in zip(shares, shares[1:], strict=False)):
        raise ProfileError("月度进度曲线应在 0 到 1 之间且逐月不减。")
    if shares[-1] != 1:
        raise ProfileError("月度进度曲线的 12 月累计比例应为 1。")
    return shares


@functools.cache
def _parameters() -> dict[str, Any]:
    return yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))["parameters"]


def parameter(name: str, on: date) -> Decimal:
    """Return the dated progress parameter `name` in force on `on`."""
    history = sorted(_parameters()[name]["history"], key=lambda entry: entry["from"])
    value = None
    for entry in history:
        if entry["from"] <= on:
            value = entry["value"]
    if value is None:
        raise LookupError(f"进度参数 {name} 在 {on} 尚未生效。")
    return Decimal(str(value))


def is_cumulative(indicator: Any) -> bool:
    """Whether the figure accumulates over the year (累计), so a schedule applies (see the module docstring)."""
    return bool(indicator.cumulative) and not indicator.is_percentage


def schedule(indicator: Any, year: int, as_of: date) -> Decimal:
    """Return the 序时进度 on `as_of` for `indicator`'s target of `year` (1 for non-cumulative figures)."""
    if not is_cumulative(indicator):
        return ONE
    if as_of < date(year, 1, 1):
        return Decimal(0)
    if as_of >= date(year, 12, 31):
        return ONE
    if indicator.schedule_profile:
        shares = check_profile(indicator.schedule_profile)
        done = shares[as_of.month - 2] if as_of.month > 1 else Decimal(0)
        days = calendar.monthrange(year, as_of.month)[1]
        return (done + (shares[as_of.month - 1] - done) * Decimal(as_of.day) / days).quantize(Decimal("0.0001"))
    return Decimal(str(round(year_share_elapsed(year, as_of), 4)))


def completion(actual: Decimal | None, target: Decimal | None, direction: str) -> Decimal | None:
    """Return the completion ratio, or None when it cannot be computed (missing figure, zero target)."""
    if actual is None or target is None:
        return None
    if direction == Direction.DOWN:
        if actual <= 0:
            return None
        return (target / actual).quantize(Decimal("0.0001"))
    if target <= 0:
        return None
    return (actual / target).quantize(Decimal("0.0001"))


def status(done: Decimal | None, expected: Decimal, *, on: date) -> str:
    """Return green / amber / red for completion `done` against schedule `expected`, or missing."""
    if done is None:
        return ProgressStatus.MISSING
    if done >= expected:
        return ProgressStatus.GREEN
    if expected - done <= parameter("amber_margin", on):
        return ProgressStatus.AMBER
    return ProgressStatus.RED


@dataclass(frozen=True)
class Progress:
    """One indicator's progress for one region: what it has, what it should have, and how that stands."""

    actual: Decimal | None
    target: Decimal | None
    completion: Decimal | None
    schedule: Decimal
    status: str

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.status).label)


def progress_of(indicator: Any, actual: Decimal | None, target: Decimal | None, *, year: int,
                as_of: date) -> Progress:
    """Return the Progress of `actual` against `target` for `year` as of `as_of`."""
    expected = schedule(indicator, year, as_of)
    done = completion(actual, target, indicator.direction)
    return Progress(actual, target, done, expected, status(done, expected, on=as_of))
