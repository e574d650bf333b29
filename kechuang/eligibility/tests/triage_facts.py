"""Hypothesis strategies of *registry-shaped* facts around every band edge, for the triage equality tests.

Unlike ``strategies.py`` (plausible self-check input), these draw what batch screening hands the engine: the
registry's typed figures (Decimals, tuples), facts sometimes missing, and figures placed a few units either side of
each edge of the parameter tree in force — the size limits, the point bands, the 高企 ratios and the day count.
The edges are read from the parameters, so a new dated value moves the tests with it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import strategies as st

from kechuang.eligibility.engine.params import parameter_set

AS_OF = datetime.date(2025, 6, 1)
CENT = Decimal("0.01")
INDUSTRIES = ("65", "6513", "39", "16", "51", "52", "70", "72", "90", "61", "99", "A1")


def _edges(scale) -> list[Decimal]:
    return [band.bound for band in scale.bands if band.bound is not None]


def _near(draw, value: Decimal, spread: int, step: Decimal = CENT) -> Decimal:
    """A value a few steps either side of ``value`` (never negative)."""
    return max(Decimal(0), value + draw(st.integers(-spread, spread)) * step)


def _maybe(draw, value):
    """The value, or None (missing) now and then."""
    return None if draw(st.integers(0, 11)) == 0 else value


def _count(draw, high: int) -> Decimal:
    return Decimal(draw(st.integers(0, high)))


@st.composite
def _ratio_pair(draw, edges: list[Decimal], count: bool = False) -> tuple[Decimal, Decimal]:
    """(numerator, denominator) with the ratio within three steps of one of ``edges`` (or anywhere)."""
    if count:
        denominator, step = Decimal(draw(st.integers(1, 700))), Decimal(1)
    else:
        denominator, step = Decimal(draw(st.integers(0, 4_000_000))) / 100, CENT
    edge = draw(st.sampled_from([*edges, None]))
    if edge is None or denominator == 0:
        if count:
            return Decimal(draw(st.integers(0, int(denominator)))), denominator
        return Decimal(draw(st.integers(0, 400_000))) / 100, denominator
    numerator = (edge * denominator / step).to_integral_value() * step
    return _near(draw, numerator, 3, step), denominator


@st.composite
def tech_sme_registry_facts(draw) -> dict:
    """The facts ``Screener.project`` gives 科小 from the registry, around the edges of the parameters in force."""
    p = parameter_set("tech_sme").at(AS_OF)
    tech_staff, employees = draw(_ratio_pair(_edges(p.staff_points), count=True))
    rd, sales = draw(_ratio_pair(_edges(p.rd_sales_points)))
    cost = draw(st.sampled_from([rd * 3, rd * 4 + CENT, rd * 10, rd * 5 - CENT, Decimal(0), sales]))
    facts = {
        "employees": _near(draw, draw(st.sampled_from([p.max_employees, employees])), 3, Decimal(1)),
        "tech_staff": tech_staff, "sales_revenue": _near(draw, draw(st.sampled_from([p.max_sales_revenue, sales])), 3),
        "total_assets": _near(draw, draw(st.sampled_from([p.max_total_assets, sales])), 3),
        "total_cost": max(cost, Decimal(0)), "rd_expense": rd,
        "class1_ip": _count(draw, 2), "class2_ip": _count(draw, 5),
        "industry": draw(st.sampled_from(INDUSTRIES)), "holds_valid_hnte": draw(st.booleans()),
    }
    facts["tech_staff"] = min(facts["tech_staff"], facts["employees"])
    facts = {name: _maybe(draw, value) for name, value in facts.items()}
    declared = {"resident_enterprise": True, "not_restricted_industry": True, "integrity_ok": True}
    if draw(st.integers(0, 9)) == 0:  # a declaration not made, or refused
        declared[draw(st.sampled_from(sorted(declared)))] = draw(st.sampled_from([False, None]))
    return {name: value for name, value in {**facts, **declared}.items() if value is not None}


@st.composite
def _series(draw, years: int, latest: Decimal, spread: int = 40) -> tuple[Decimal, ...]:
    """A series ending in ``latest``; earlier years within ± ``spread`` % of it."""
    earlier = [max(Decimal(0), (latest * (100 + draw(st.integers(-spread, spread))) / 100).quantize(CENT))
               for _ in range(years - 1)]
    return (*earlier, latest)


@st.composite
def hnte_registry_facts(draw) -> dict:
    """The facts ``Screener.project`` gives 高企 from the registry, around the edges of the parameters in force."""
    p = parameter_set("hnte").at(AS_OF)
    years = draw(st.integers(1, 3))
    latest_sales = _near(draw, draw(st.sampled_from([*_edges(p.rd_ratio_bands), Decimal(800), Decimal(30_000)])), 2)
    sales = draw(_series(years, latest_sales))
    bound = p.rd_ratio_bands.lookup(latest_sales)
    if draw(st.integers(0, 19)) == 0:  # no sales in the years reported: the R&D ratio cannot be computed
        sales = tuple(Decimal(0) for _ in sales)
    rd_total = _near(draw, (bound * sum(sales)).quantize(CENT), 3)
    if draw(st.integers(0, 19)) == 0:  # no R&D at all: nor can the domestic share
        rd_total = Decimal(0)
    rd = draw(_series(years, rd_total / years))
    rd = (*rd[:-1], max(Decimal(0), rd_total - sum(rd[:-1])).quantize(CENT)) if years > 1 else (rd_total,)
    share = draw(st.sampled_from([p.min_domestic_rd_share, Decimal("0.45"), Decimal("0.9"), Decimal(1)]))
    domestic = tuple(min(x, _near(draw, (x * share).quantize(CENT), 2)) for x in rd)
    overseas = tuple(t - d for t, d in zip(rd, domestic, strict=True))
    employees = Decimal(draw(st.integers(1, 600)))
    tech_staff = min(employees, _near(draw, (employees * p.min_tech_staff_ratio).to_integral_value(), 2,
                                      Decimal(1)))
    total_income = Decimal(draw(st.integers(0, 3_000_000))) / 100 if draw(st.integers(0, 19)) else Decimal(0)
    hightech = min(total_income, _near(draw, (total_income * p.min_hightech_income_share).quantize(CENT), 3))
    registered = AS_OF - datetime.timedelta(days=int(p.min_registered_days) + draw(st.integers(-3, 3000)))
    facts = {
        "registered_on": registered, "hightech_field": draw(st.sampled_from(["1", "5", "8", "9"])),
        "employees": employees, "tech_staff": tech_staff, "sales_revenue_3y": sales, "rd_expense_3y": rd,
        "rd_domestic_3y": domestic, "rd_overseas_3y": overseas, "total_income": total_income,
        "hightech_income": hightech, "class1_ip": _count(draw, 2), "class2_ip": _count(draw, 6),
        "standards_led": _count(draw, 2),
        "conversions_3y": tuple(_count(draw, 6) for _ in range(years)),
        "net_assets_3y": tuple(Decimal(draw(st.integers(-50_000, 500_000))) / 100 for _ in range(years)),
    }
    facts = {name: _maybe(draw, value) for name, value in facts.items()}
    extra = {"owns_core_ip": True, "integrity_ok": True}
    if draw(st.integers(0, 9)) == 0:
        extra[draw(st.sampled_from(sorted(extra)))] = draw(st.sampled_from([False, None]))
    if draw(st.integers(0, 4)) == 0:  # not a registry fact, but a triage must not trip over it
        extra["ip_self_developed"] = draw(st.booleans())
    if draw(st.integers(0, 9)) == 0:
        extra["tech_advancement_points"] = Decimal(draw(st.integers(0, 8)))
    return {name: value for name, value in {**facts, **extra}.items() if value is not None}
