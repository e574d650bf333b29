"""Hypothesis strategy of plausible facts for 中小企业划型 (sme_size), for the property tests."""

from hypothesis import strategies as st

from kechuang.eligibility.tests.strategies import money


@st.composite
def sme_size_facts(draw):
    """Any supported or unsupported industry, sizes around every bound, and sometimes a missing measure."""
    return {
        "industry": draw(st.one_of(st.none(), st.sampled_from(["0610", "26", "3911", "4411", "65", "6513", "5171",
                                                                 "63", "99"]))),
        "sector": draw(st.one_of(st.none(), st.none(), st.none(), st.sampled_from(["industrial", "software", "x"]))),
        "employees": draw(st.one_of(st.none(), st.integers(0, 1500))),
        "sales_revenue": draw(st.one_of(st.none(), money(60_000))),
    }


STRATEGIES = {"sme_size": sme_size_facts()}
