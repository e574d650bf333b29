"""The leader dashboard (领导驾驶舱): key indicators for the user's scope with target, completion and schedule,
year trends, the comparison of the regions under it, and the latest red/black list — all read through
`figures`, the same code as the lists, the exports and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from kechuang.core.permissions import assignments_of
from kechuang.indicators.figures import RegionFigure, region_figures_many, targets_for, trends, values_for
from kechuang.indicators.models import Indicator, RedBlackList
from kechuang.regions.models import Region

TREND_YEARS = 6


def scope_roots(user: Any) -> list[Region]:
    """The top regions of the user's region scopes (a global scope: the provinces that have figures)."""
    roots: dict[str, Region] = {}
    for assignment in assignments_of(user):
        if assignment.scope_kind == "region" and assignment.region_id:
            roots[assignment.region.code] = assignment.region
        elif assignment.scope_kind == "global":
            codes = {code[:2] for code in values_for(None).values_list("region_id", flat=True).distinct()[:1000]}
            roots.update({r.code: r for r in Region.objects.filter(code__in=[c.ljust(12, "0") for c in codes])})
    # drop roots under another root
    ordered = sorted(roots.values(), key=lambda r: r.code)
    return [r for r in ordered if not any(o is not r and r.code.startswith(o.prefix) for o in ordered)]


def default_year(user: Any, today: date) -> int:
    """The latest year up to this one with a target in the user's scope, else this year."""
    year = targets_for(user).filter(year__lte=today.year).order_by("-year").values_list("year", flat=True).first()
    return year or today.year


@dataclass
class KeyIndicator:
    indicator: Indicator
    figure: RegionFigure
    trend: list[tuple[int, Any]]
    children: list[RegionFigure]
    chart: dict[str, Any] | None = None


def dashboard_data(user: Any, *, region: Region | None = None, year: int | None = None,
                   as_of: date | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    roots = scope_roots(user)
    region = region or (roots[0] if roots else None)
    year = year or default_year(user, today)
    as_of = as_of or min(today, date(year, 12, 31))
    if region is None:
        return {"region": None, "year": year, "as_of": as_of, "items": [], "roots": roots}
    children = list(Region.objects.children_of(region.code).order_by("code"))
    items = []
    indicators = list(Indicator.objects.filter(is_key=True, is_active=True))
    years = list(range(year - TREND_YEARS + 1, year + 1))
    # every key indicator's figures in a few queries (not a handful per indicator): the region's own, ranked
    # alone, and its children's, ranked among themselves
    groups = [([region], None)] + ([(children, None)] if children else [])
    table = region_figures_many(indicators, groups, year, as_of, user=user)
    series = trends(indicators, region.code, years, user=user, as_of=as_of)
    for indicator in indicators:
        own = table[indicator.pk][0][0]
        below = table[indicator.pk][1] if children else []
        items.append(KeyIndicator(indicator, own, series[indicator.pk], [f for f in below if f.value is not None]))
    latest_list = (RedBlackList.objects.restrict(user, "view").filter(region__code__startswith=region.prefix)
                   .order_by("-published_on", "-id").first())
    return {"region": region, "year": year, "as_of": as_of, "items": items, "roots": roots,
            "redblack": latest_list,
            "redblack_entries": list(latest_list.entries.select_related("region")) if latest_list else []}
