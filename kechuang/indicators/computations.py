"""Computed indicators (平台计算指标): a module registers, per indicator code, a function that aggregates its
data by the region code enterprises (or other records) sit in; `roll_up` then sums those leaf figures into every
region of the tree.

A computation returns ``{leaf region code: (numerator, denominator)}`` — the denominator is None for a plain sum
— so that ratios are ratios of sums at every level (aggregation "ratio"), never averages of ratios. Each
computation also names its drill-down: the enterprises that make up a region's figure.

One GROUP BY per indicator reads the whole province; the roll-up over ~200 regions is a prefix-sum walk in
Python. No figure is computed per request: `services.compute_indicators` stores them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from kechuang.core.permissions import region_code_range

Parts = tuple[Decimal, Decimal | None]
LeafFigures = dict[str, Parts]


@dataclass(frozen=True)
class Computation:
    """How one computed indicator is made: `compute(year, on)` → leaf figures; `scale` turns the roll-up into
    the indicator's unit (万元 → 亿元: 0.0001; a ratio → %: 100); `members(region_code, year, on)` → the
    enterprise queryset behind a region's figure (drill-down), and `lost(...)` those that left it since last year."""

    code: str
    compute: Callable[[int, date], LeafFigures]
    scale: Decimal = Decimal(1)
    members: Callable[[str, int, date], Any] | None = None
    lost: Callable[[str, int, date], Any] | None = None
    annual_only: bool = False


_registry: dict[str, Computation] = {}


def register(computation: Computation) -> Computation:
    _registry[computation.code] = computation
    return computation


def computation_for(code: str) -> Computation | None:
    return _registry.get(code)


def registered_codes() -> list[str]:
    return sorted(_registry)


def roll_up(leaves: LeafFigures, regions: Iterable[tuple[str, int]], scale: Decimal, *,
            ratio: bool | None = None) -> dict[str, Decimal | None]:
    """Return each region's figure from the leaf figures under it.

    `regions` are (12-digit code, significant digits); a leaf belongs to every region whose code range holds it.
    A region with no leaf under it gets 0 for a sum (no enterprise holds the title there) and None for a ratio
    with no denominator (数据暂缺, never 0). `ratio` says which the figure is; None guesses from the leaves, which
    cannot tell a ratio with no leaf at all (a year nobody reported) from a sum.
    """
    codes = sorted(leaves)
    numerators, denominators = [Decimal(0)], [Decimal(0)]
    has_denominator = ratio if ratio is not None else any(parts[1] is not None for parts in leaves.values())
    for code in codes:
        numerator, denominator = leaves[code]
        numerators.append(numerators[-1] + numerator)
        denominators.append(denominators[-1] + (denominator or 0))
    result: dict[str, Decimal | None] = {}
    for code, significant in regions:
        low, high = region_code_range(code, significant)
        start, end = bisect.bisect_left(codes, low), bisect.bisect_right(codes, high)
        numerator = numerators[end] - numerators[start]
        if has_denominator:
            denominator = denominators[end] - denominators[start]
            result[code] = (numerator / denominator * scale) if denominator else None
        else:
            result[code] = numerator * scale
    return result


# --- enterprise registry computations ------------------------------------------------------------------------


def _qualifications(kind: str) -> Any:
    from kechuang.enterprises.models import Qualification

    return Qualification.objects.filter(kind__code=kind)


def _count_by_region(queryset: Any) -> LeafFigures:
    rows = queryset.values_list("enterprise__region_id").annotate(n=Count("enterprise_id", distinct=True))
    return {region: (Decimal(n), None) for region, n in rows.order_by()}


def hnte_total(year: int, on: date) -> LeafFigures:
    """高新技术企业数: enterprises holding a 高企 certificate in force on `on`."""
    return _count_by_region(_qualifications("hnte").valid_on(on))


def granted_between(kind: str, year: int, on: date) -> Any:
    return _qualifications(kind).filter(granted_on__gte=date(year, 1, 1), granted_on__lte=on)


def hnte_new(year: int, on: date) -> LeafFigures:
    """新认定高新技术企业数: certificates granted from 1 January to `on`."""
    return _count_by_region(granted_between("hnte", year, on))


def tsme_registered(year: int, on: date) -> LeafFigures:
    """科技型中小企业入库数: 科小 registrations granted from 1 January to `on`."""
    return _count_by_region(granted_between("tsme", year, on))


def _sum_ratio(numerator: str, denominator: str | None) -> Callable[[int, date], LeafFigures]:
    """Sum `numerator` (÷ `denominator`) of the enterprise-year figures of `year`, by region; only rows that
    report both parts of a ratio count (a missing figure is not a zero)."""

    def compute(year: int, on: date) -> LeafFigures:
        from kechuang.enterprises.models import EnterpriseYear

        rows = EnterpriseYear.objects.filter(year=year, **{f"{numerator}__isnull": False})
        if denominator is not None:
            rows = rows.filter(**{f"{denominator}__isnull": False})
            aggregates = rows.values_list("enterprise__region_id").annotate(
                a=Sum(numerator), b=Sum(denominator)).order_by()
            return {region: (Decimal(a), Decimal(b)) for region, a, b in aggregates}
        aggregates = rows.values_list("enterprise__region_id").annotate(a=Sum(numerator)).order_by()
        return {region: (Decimal(a), None) for region, a in aggregates}

    return compute


def _enterprises_in(code: str) -> Any:
    from kechuang.enterprises.models import Enterprise
    from kechuang.regions.models import Region

    region = Region.objects.get(code=code)
    low, high = region_code_range(region.code, region.significant_digits)
    return Enterprise.objects.filter(region_id__gte=low, region_id__lte=high)


def _holders(kind: str) -> Callable[[str, int, date], Any]:
    def members(code: str, year: int, on: date) -> Any:
        return _enterprises_in(code).qualified(kind, on=on)

    return members


def _lost_holders(kind: str) -> Callable[[str, int, date], Any]:
    """Enterprises that held the title at the end of last year but not on `on` (expired, revoked, moved)."""

    def lost(code: str, year: int, on: date) -> Any:
        held = _enterprises_in(code).qualified(kind, on=date(year - 1, 12, 31))
        still = _qualifications(kind).valid_on(on).values("enterprise_id")
        return held.exclude(pk__in=still)

    return lost


def _granted(kind: str) -> Callable[[str, int, date], Any]:
    def members(code: str, year: int, on: date) -> Any:
        return _enterprises_in(code).filter(pk__in=granted_between(kind, year, on).values("enterprise_id"))

    return members


def _reporting(numerator: str) -> Callable[[str, int, date], Any]:
    def members(code: str, year: int, on: date) -> Any:
        return _enterprises_in(code).filter(years__year=year, **{f"years__{numerator}__isnull": False})

    return members


TEN_THOUSANDTH = Decimal("0.0001")  # 万元 → 亿元
PERCENT = Decimal(100)

register(Computation("hnte_total", hnte_total, members=_holders("hnte"), lost=_lost_holders("hnte")))
register(Computation("hnte_new", hnte_new, members=_granted("hnte")))
register(Computation("tsme_registered", tsme_registered, members=_granted("tsme")))
register(Computation("enterprise_rd_expense", _sum_ratio("rd_expense", None), TEN_THOUSANDTH,
                     members=_reporting("rd_expense"), annual_only=True))
register(Computation("enterprise_rd_ratio", _sum_ratio("rd_expense", "main_revenue"), PERCENT,
                     members=_reporting("rd_expense"), annual_only=True))
register(Computation("rd_staff_share", _sum_ratio("rd_staff", "employees"), PERCENT,
                     members=_reporting("rd_staff"), annual_only=True))

__all__ = ["Computation", "computation_for", "register", "registered_codes", "roll_up"]
