"""Hypothesis strategies of plausible facts per programme, for the property tests."""

from decimal import Decimal

from hypothesis import strategies as st


def money(high: int = 50_000) -> st.SearchStrategy[Decimal]:
    return st.integers(0, high * 100).map(lambda cents: Decimal(cents) / 100)


def count(high: int = 1000) -> st.SearchStrategy[int]:
    return st.integers(0, high)


@st.composite
def tech_sme_facts(draw):
    employees = draw(st.integers(1, 700))
    return {
        "resident_enterprise": True, "not_restricted_industry": True, "integrity_ok": True,
        "industry": draw(st.sampled_from(["65", "39", "51", "73"])),
        "employees": employees, "tech_staff": draw(st.integers(0, employees)),
        "sales_revenue": draw(money(25_000)), "total_assets": draw(money(25_000)),
        "total_cost": draw(money(25_000)), "rd_expense": draw(money(3_000)),
        "class1_ip": draw(count(2)), "class2_ip": draw(count(6)),
        "holds_valid_hnte": draw(st.booleans()),
    }


def _collect() -> dict:
    """programme code → strategy: this module's, plus ``STRATEGIES`` of every ``strategies_*.py`` beside it."""
    import importlib
    import pkgutil
    from pathlib import Path

    found = {"tech_sme": tech_sme_facts()}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("strategies_"):
            found.update(importlib.import_module(f"{__package__}.{module.name}").STRATEGIES)
    return found


STRATEGIES = _collect()
