"""Hypothesis strategy of plausible facts for 研发费用加计扣除 (rd_deduction), for the property tests."""

from hypothesis import strategies as st

from kechuang.eligibility.rules.rd_deduction import EXPENSE_CLASSES
from kechuang.eligibility.tests.strategies import money

project = st.dictionaries(st.sampled_from(sorted(EXPENSE_CLASSES)), money(2_000), max_size=len(EXPENSE_CLASSES))


@st.composite
def rd_deduction_facts(draw):
    """Projects with any mix of expense classes, entrusted R&D either side of the 2/3 cap, any category."""
    return {
        "industry": draw(st.one_of(st.none(), st.sampled_from(["6513", "6520", "3911", "3973", "5171", "1610"]))),
        "excluded_business_share": draw(st.one_of(st.none(), st.none(), st.decimals(0, 1, places=4))),
        "qualifications": draw(st.one_of(st.none(), st.sets(st.sampled_from(["tsme", "hnte"])).map(sorted))),
        "holds_valid_hnte": draw(st.one_of(st.none(), st.booleans())),
        "listed_ic_or_machine_tool": draw(st.one_of(st.none(), st.booleans())),
        "projects": draw(st.one_of(st.none(), st.lists(project, max_size=4))),
        "commissioned_domestic": draw(st.one_of(st.none(), money(1_000))),
        "commissioned_overseas": draw(st.one_of(st.none(), money(3_000))),
        "capitalised_cost": draw(st.one_of(st.none(), money(5_000))),
        "amortisation_years": draw(st.one_of(st.none(), st.integers(1, 20))),
    }


STRATEGIES = {"rd_deduction": rd_deduction_facts()}
