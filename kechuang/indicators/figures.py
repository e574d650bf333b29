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
    return _latest_many([indicator], region_codes, year, as_of, user=user).get(indicator.pk, {})


def _latest_many(indicators: Sequence[Indicator], region_codes: Sequence[str], year: int, as_of: date, *,
                 user: Any = None) -> dict[int, dict[str, Stored]]:
    """`latest_in_year` of several indicators in one query: {indicator pk: {region: Stored}}.

    Ordered by region and period explicitly (the model's default ordering would join the indicator and region
    tables only to sort): a tie between two periods ending in the same month on the same day keeps the first."""
    rows = values_for(user).filter(
        indicator_id__in=[i.pk for i in indicators], year=year, region_id__in=list(region_codes), as_of__lte=as_of,
    ).order_by("indicator_id", "region_id", "period").values_list(
        "indicator_id", "region_id", "value", "period", "as_of", "origin", "frozen")
    result: dict[int, dict[str, Stored]] = {}
    for indicator_id, region, value, period, day, origin, frozen in rows:
        best = result.setdefault(indicator_id, {})
        current = best.get(region)
        if current is None or (end_month(period), day) > (end_month(current.period), current.as_of):
            best[region] = Stored(value, period, day, origin, frozen)
    return result


def values_of_period(indicator: Indicator, region_codes: Sequence[str], year: int, period: str, *,
                     user: Any = None, as_of: date | None = None) -> dict[str, Decimal]:
    rows = values_for(user).filter(indicator=indicator, year=year, period=period, region_id__in=list(region_codes))
    if as_of is not None:
        rows = rows.filter(as_of__lte=as_of)
    return dict(rows.order_by().values_list("region_id", "value"))


def target_values(indicator: Indicator, region_codes: Sequence[str], year: int, *, user: Any = None
                  ) -> dict[str, Decimal]:
    return _targets_many([indicator], region_codes, year, user=user).get(indicator.pk, {})


def _targets_many(indicators: Sequence[Indicator], region_codes: Sequence[str], year: int, *, user: Any = None
                  ) -> dict[int, dict[str, Decimal]]:
    rows = targets_for(user).filter(indicator_id__in=[i.pk for i in indicators], year=year, period=ANNUAL,
                                    region_id__in=list(region_codes))
    result: dict[int, dict[str, Decimal]] = {}
    for indicator_id, region, value in rows.order_by().values_list("indicator_id", "region_id", "value"):
        result.setdefault(indicator_id, {})[region] = value
    return result


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
    return region_figures_many([indicator], [(regions, ranked)], year, as_of, user=user)[indicator.pk][0]


def region_figures_many(indicators: Sequence[Indicator],
                        groups: Sequence[tuple[Sequence[Any], Iterable[Any] | None]], year: int, as_of: date, *,
                        user: Any = None) -> dict[int, list[list[RegionFigure]]]:
    """`region_figures` of several indicators and several (regions, ranked) groups with three queries in all:
    {indicator pk: [figures of each group, in order]} — the same figures as one call per indicator and group
    (a region's figure, previous figure and target do not depend on the group; its rank does)."""
    groups = [(list(regions), None if ranked is None else list(ranked)) for regions, ranked in groups]
    codes = list(dict.fromkeys(r.code for regions, _ranked in groups for r in regions))
    pools = [[r.code for r in (ranked if ranked is not None else regions)] for regions, ranked in groups]
    # the rank pools' figures too: a region may be ranked among regions it does not show
    latest = _latest_many(indicators, list(dict.fromkeys(codes + [c for pool in pools for c in pool])), year,
                          as_of, user=user)
    previous = _previous_many(indicators, latest, set(codes), year - 1, user=user)
    targets = _targets_many(indicators, codes, year, user=user)
    result: dict[int, list[list[RegionFigure]]] = {}
    for indicator in indicators:
        own_latest = latest.get(indicator.pk, {})
        own_previous = previous.get(indicator.pk, {})
        own_targets = targets.get(indicator.pk, {})
        tables = result.setdefault(indicator.pk, [])
        for (regions, _ranked), pool in zip(groups, pools, strict=True):
            ranks = rank({code: own_latest[code].value if code in own_latest else None for code in pool},
                         indicator.direction)
            figures = []
            for region in regions:
                stored = own_latest.get(region.code)
                value = stored.value if stored else None
                figures.append(RegionFigure(
                    region, indicator, year, stored, own_previous.get(region.code),
                    change(value, own_previous.get(region.code), percentage=indicator.is_percentage),
                    ranks.get(region.code),
                    progress_of(indicator, value, own_targets.get(region.code), year=year, as_of=as_of)))
            tables.append(figures)
    return result


def _previous_many(indicators: Sequence[Indicator], latest: dict[int, dict[str, Stored]], codes: set[str],
                   year: int, *, user: Any = None) -> dict[int, dict[str, Decimal]]:
    """Each shown region's figure of `year` for the same period as its latest figure (any data date)."""
    wanted = {(indicator_id, code): stored.period for indicator_id, by_region in latest.items()
              for code, stored in by_region.items() if code in codes}
    result: dict[int, dict[str, Decimal]] = {}
    if not wanted:
        return result
    rows = values_for(user).filter(
        indicator_id__in=sorted({indicator_id for indicator_id, _code in wanted}), year=year,
        period__in=sorted(set(wanted.values())), region_id__in=sorted({code for _i, code in wanted}),
    ).order_by().values_list("indicator_id", "region_id", "period", "value")
    for indicator_id, region, period, value in rows:
        if wanted.get((indicator_id, region)) == period:
            result.setdefault(indicator_id, {})[region] = value
    return result


def trend(indicator: Indicator, region_code: str, years: Sequence[int], *, user: Any = None,
          as_of: date | None = None) -> list[tuple[int, Decimal | None]]:
    """Return the annual figure of each year (None where missing), for trend charts."""
    return trends([indicator], region_code, years, user=user, as_of=as_of)[indicator.pk]


def trends(indicators: Sequence[Indicator], region_code: str, years: Sequence[int], *, user: Any = None,
           as_of: date | None = None) -> dict[int, list[tuple[int, Decimal | None]]]:
    """`trend` of several indicators in one query: {indicator pk: [(year, figure or None)]}."""
    years = list(years)
    rows = values_for(user).filter(indicator_id__in=[i.pk for i in indicators], region_id=region_code,
                                   period=ANNUAL, year__in=years)
    if as_of is not None:
        rows = rows.filter(as_of__lte=as_of)
    by_year: dict[int, dict[int, Decimal]] = {i.pk: {} for i in indicators}
    for indicator_id, year, value in rows.order_by().values_list("indicator_id", "year", "value"):
        by_year[indicator_id][year] = value
    return {pk: [(year, values.get(year)) for year in years] for pk, values in by_year.items()}
