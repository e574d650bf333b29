"""Hypothesis strategies of plausible facts for the shipped local programmes (瞪羚、独角兽、雏鹰).

Figures cluster around the programmes' edges (1000 万元 base revenue, 20% growth, 3000/5000 万元 sales bands,
15% science staff) so that failed checks — and their shortfalls — come up often. Self-contained: importing the
shared ``strategies`` module from here would be circular (it collects this module).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import strategies as st


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 100, high * 100).map(lambda cents: Decimal(cents) / 100)


def dates(first: str, last: str) -> st.SearchStrategy[datetime.date]:
    return st.dates(datetime.date.fromisoformat(first), datetime.date.fromisoformat(last))


REVENUE = st.one_of(money(0, 3_000), money(800, 2_500), money(40_000, 120_000))


@st.composite
def gazelle_huangpu_facts(draw):
    return {
        "qualifications": draw(st.lists(st.sampled_from(["hnte", "tsme", "gazelle"]), unique=True)),
        "registered_on": draw(dates("2008-01-01", "2024-05-31")),
        "sales_revenue_series": draw(st.lists(REVENUE, min_size=1, max_size=6)),
    }


@st.composite
def gazelle_jinan_facts(draw):
    return {
        "registered_on": draw(dates("2008-01-01", "2024-05-31")),
        "sales_revenue_series": draw(st.lists(REVENUE, min_size=1, max_size=6)),
        "profit_series": draw(st.lists(st.integers(-300, 3_000).map(Decimal), min_size=1, max_size=6)),
    }


@st.composite
def unicorn_facts(draw):
    return {
        "registered_on": draw(dates("2010-01-01", "2024-05-31")),
        "valuation": draw(st.one_of(money(0, 100_000), money(400_000, 900_000))),
        "listing_status": draw(st.sampled_from(["unlisted", "neeq", "star"])),
        "strategic_emerging": draw(st.booleans()),
    }


@st.composite
def potential_unicorn_facts(draw):
    return {"registered_on": draw(dates("2015-01-01", "2024-05-31")), "valuation": draw(money(0, 150_000))}


@st.composite
def chuying_facts(draw):
    employees = draw(st.integers(1, 80))
    return {
        "registered_on": draw(dates("2015-06-01", "2022-05-31")),
        "sales_revenue": draw(money(0, 6_000)),
        "employees": employees,
        "tech_staff": draw(st.integers(0, employees)),
        "rd_ledger": draw(st.booleans()),
        "rd_expense": draw(money(0, 400)),
        "class1_ip": draw(st.integers(0, 1)),
        "class2_ip": draw(st.integers(0, 2)),
        "integrity_ok": True,
    }


STRATEGIES = {
    "gazelle_huangpu": gazelle_huangpu_facts(),
    "gazelle_jinan": gazelle_jinan_facts(),
    "unicorn_huangpu": unicorn_facts(),
    "potential_unicorn_huangpu": potential_unicorn_facts(),
    "chuying_hangzhou": chuying_facts(),
}
