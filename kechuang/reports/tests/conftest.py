"""Fixtures of the report tests: the persona regions with two years of figures and targets."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B
from kechuang.indicators.tests.conftest import aim, put

YEAR = 2024
END = date(YEAR, 12, 31)


@pytest.fixture
def data(cast):
    """R&D, GDP and 高新技术产业 figures for the city and both districts in 2023 and 2024, targets for 2024 and
    2025; district B's R&D falls; the districts tie on R&D intensity in 2024 (3.00 % each)."""
    rows = {  # region: (rd 2023, rd 2024, gdp 2023, gdp 2024)
        CITY: (50, 60, 2000, 2000),
        DISTRICT_A: (30, 36, 1200, 1200),
        DISTRICT_B: (26, 24, 800, 800),
    }
    for region, (rd_before, rd_now, gdp_before, gdp_now) in rows.items():
        put("rd_expenditure", region, rd_before, year=YEAR - 1)
        put("rd_expenditure", region, rd_now)
        put("gdp", region, gdp_before, year=YEAR - 1)
        put("gdp", region, gdp_now)
    aim("rd_expenditure", CITY, 64)
    aim("rd_expenditure", DISTRICT_A, 36)
    aim("rd_expenditure", DISTRICT_B, 28)
    aim("rd_expenditure", CITY, 70, year=YEAR + 1)
    for year in (YEAR - 1, YEAR):
        call_command("indicators", "compute", "--year", str(year), "--region", CITY, "--as-of",
                     date(year, 12, 31).isoformat(), stdout=io.StringIO())
    return cast
