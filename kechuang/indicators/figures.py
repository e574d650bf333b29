"""Reading figures (取数): the one place views, the API, commands, dashboards and reports read stored indicator
values, targets and the figures derived from them — so they can never disagree.

A figure is "known on" D when its data date (`as_of`) is on or before D. The actual of a year on D is the figure
of the latest period of that year known on D (the annual figure, else Q3 "1—9月", …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from kechuang.indicators.derive import Change, Rank, change, rank
from kechuang.indicators.models import Indicator, IndicatorValue, Target
from kechuang.indicators.periods import ANNUAL, end_month, period_label
from kechuang.indicators.progress import Progress, progress_of


def values_for(user: Any) -> Any:
    """IndicatorValue rows `user` may see (every row for a system caller, user None)."""
    return IndicatorValue.objects.all() if user is None else IndicatorValue.objects.restrict(user, "view")


def targets_for(user: Any) -> Any:
    return Target.objects.all() if user is None else Target.objects.restrict(user, "view")


@dataclass(frozen=True)
class Stored:
    value: Decimal
    period: str
    as_of: date
    origin: str
    frozen: bool


def latest_in_year(indicator: Indicator, region_codes: Sequence[str], year: int, as_of: date, *,
                   user: Any = None) -> dict[str, Stored]:
    """Return each region's latest figure of `year` known on `as_of` (see the module docstring)."""
    rows = values_for(user).filter(indicator=indicator, year=year, region_id__in=list(region_codes),
                                   as_of__lte=as_of).values_list("region_id", "value", "period", "as_of", "origin",
                                                                 "frozen")
    best: dict[str, Stored] = {}
    for region, value, period, day, origin, frozen in rows:
        current = best.get(region)
        if current is None or (end_month(period), day) > (end_month(current.period), current.as_of):
            best[region] = Stored(value, period, day, origin, frozen)
    return best


def values_of_period(indicator: Indicator, region_codes: Sequence[str], year: int, period: str, *,
                     user: Any = None, as_of: date | None = None) -> dict[str, Decimal]:
    rows = values_for(user).filter(indicator=indicator, year=year, period=period, region_id__in=list(region_codes))
    if as_of is not None:
        rows = rows.filter(as_of__lte=as_of)
    return dict(rows.values_list("region_id", "value"))


def target_values(indicator: Indicator, region_codes: Sequence[str], year: int, *, user: Any = None
                  ) -> dict[str, Decimal]:
    rows = targets_for(user).filter(indicator=indicator, year=year, period=ANNUAL,
                                    region_id__in=list(region_codes))
    return dict(rows.values_list("region_id", "value"))


@dataclass(frozen=True)
class RegionFigure:
    """One region's line for one indicator and year: figure, YoY, rank among the given regions, progress."""

    region: Any
    indicator: Indicator
    year: int
    stored: Stored | None
    previous: Decimal | None
    change: Change
    rank: Rank | None
    progress: Progress

    @property
    def value(self) -> Decimal | None:
        return self.stored.value if self.stored else None

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.stored.period) if self.stored else period_label(self.year)


def region_figures(indicator: Indicator, regions: Sequence[Any], year: int, as_of: date, *, user: Any = None,
                   ranked: Iterable[Any] | None = None) -> list[RegionFigure]:
    """Return the figures of `regions` for `indicator` and `year` known on `as_of`, each with its change on the
    same period of the previous year, rank among `ranked` (default: `regions`), target and progress."""
    codes = [r.code for r in regions]
    rank_pool = [r.code for r in (ranked if ranked is not None else regions)]
    # the rank pool's figures too: a region may be ranked among regions it does not show
    latest = latest_in_year(indicator, list(dict.fromkeys(codes + rank_pool)), year, as_of, user=user)
    previous: dict[str, Decimal] = {}
    for period in {stored.period for stored in latest.values()}:
        wanted = [code for code in codes if code in latest and latest[code].period == period]
        previous.update(values_of_period(indicator, wanted, year - 1, period, user=user))
    ranks = rank({code: latest[code].value if code in latest else None for code in rank_pool}, indicator.direction)
    targets = target_values(indicator, codes, year, user=user)
    result = []
    for region in regions:
        stored = latest.get(region.code)
        value = stored.value if stored else None
        result.append(RegionFigure(
            region, indicator, year, stored, previous.get(region.code),
            change(value, previous.get(region.code), percentage=indicator.is_percentage),
            ranks.get(region.code),
            progress_of(indicator, value, targets.get(region.code), year=year, as_of=as_of)))
    return result


def trend(indicator: Indicator, region_code: str, years: Sequence[int], *, user: Any = None,
          as_of: date | None = None) -> list[tuple[int, Decimal | None]]:
    """Return the annual figure of each year (None where missing), for trend charts."""
    rows = values_for(user).filter(indicator=indicator, region_id=region_code, period=ANNUAL, year__in=list(years))
    if as_of is not None:
        rows = rows.filter(as_of__lte=as_of)
    by_year = dict(rows.values_list("year", "value"))
    return [(year, by_year.get(year)) for year in years]
