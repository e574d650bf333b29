"""Fixtures of the indicator tests: the persona regions (`cast`), catalogue indicators by code, stored figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kechuang.indicators.models import Indicator, IndicatorValue, Target
from kechuang.indicators.periods import period_end

YEAR = 2024
END = date(YEAR, 12, 31)


def indicator(code: str) -> Indicator:
    """Return a catalogue indicator (synced on migrate) by code."""
    return Indicator.objects.get(code=code)


def put(code: str, region: str, value: Any, *, year: int = YEAR, period: str = "", as_of: date | None = None,
        origin: str = "entered") -> IndicatorValue:
    """Store a figure directly (test set-up, not the service under test)."""
    return IndicatorValue.objects.create(indicator=indicator(code), region_id=region, year=year, period=period,
                                         value=Decimal(str(value)), as_of=as_of or period_end(year, period),
                                         origin=origin)


def aim(code: str, region: str, value: Any, *, year: int = YEAR) -> Target:
    return Target.objects.create(indicator=indicator(code), region_id=region, year=year, value=Decimal(str(value)))


def stored(code: str, region: str, *, year: int = YEAR, period: str = "") -> Decimal | None:
    """The stored figure, or None."""
    row = IndicatorValue.objects.filter(indicator__code=code, region_id=region, year=year, period=period).first()
    return row.value if row else None


@pytest.fixture
def regions(cast):
    return cast.regions
