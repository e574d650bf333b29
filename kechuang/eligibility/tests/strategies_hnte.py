"""Hypothesis strategy of plausible 高新技术企业认定 facts (collected by strategies.py into STRATEGIES)."""

import datetime
from decimal import Decimal

from hypothesis import strategies as st

AS_OF = datetime.date(2024, 6, 1)  # the date test_shortfalls.py assesses on


def _money(high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, high * 100).map(lambda cents: Decimal(cents) / 100)


@st.composite
def _rd_split(draw, rd: list[Decimal]) -> dict:
    """Give the domestic share as either series (or both, consistently), as a facts builder might."""
    overseas = [draw(st.integers(0, int(x * 100)).map(lambda c: Decimal(c) / 100)) for x in rd]
    domestic = [x - o for x, o in zip(rd, overseas, strict=True)]
    form = draw(st.sampled_from(["domestic", "overseas", "both"]))
    return {"rd_domestic_3y": domestic if form != "overseas" else None,
            "rd_overseas_3y": overseas if form != "domestic" else None}


@st.composite
def _expert_picks(draw, facts: dict) -> dict:
    """Sometimes pick exact points within the grade the data give (as the expert panel would)."""
    from kechuang.eligibility.rules.hnte import HNTE, ITEMS, item_grades

    grades = item_grades(HNTE.validate(facts), HNTE.params.at(AS_OF))
    picks = {}
    for item in ITEMS:
        points = grades[item.id].points
        if points is not None and draw(st.booleans()):
            picks[item.fact] = draw(st.integers(int(points.low), int(points.high)))
    return picks


@st.composite
def hnte_facts(draw) -> dict:
    years = draw(st.integers(1, 3))
    sales = [draw(_money(30_000)) for _ in range(years)]
    rd = [draw(_money(1_500)) for _ in range(years)]
    employees = draw(st.integers(1, 500))
    total_income = draw(_money(30_000))
    facts = {
        "registered_on": draw(st.dates(datetime.date(2015, 1, 1), AS_OF)),
        "owns_core_ip": True, "integrity_ok": True, "hightech_field": draw(st.sampled_from(["1", "5", "8", ""])),
        "employees": employees, "tech_staff": draw(st.integers(0, employees)),
        "sales_revenue_3y": sales, "rd_expense_3y": rd, **draw(_rd_split(rd)),
        "total_income": total_income,
        "hightech_income": draw(st.integers(0, int(total_income * 100)).map(lambda c: Decimal(c) / 100)),
        "class1_ip": draw(st.integers(0, 2)), "class2_ip": draw(st.integers(0, 8)),
        "ip_self_developed": draw(st.booleans()), "standards_led": draw(st.integers(0, 2)),
        "conversions_3y": [draw(st.integers(0, 6)) for _ in range(draw(st.integers(1, 3)))],
        "net_assets_3y": [draw(st.integers(-500_00, 5_000_00).map(lambda c: Decimal(c) / 100)) for _ in range(years)],
        "tech_advancement_points": draw(st.none() | st.integers(0, 8)),
        "core_support_points": draw(st.none() | st.integers(0, 8)),
        "rd_management_points": draw(st.none() | st.integers(0, 20)),
    }
    if draw(st.booleans()):
        facts.update(draw(_expert_picks(facts)))
    return facts


STRATEGIES = {"hnte": hnte_facts()}
