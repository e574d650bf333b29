"""Property: the shortfall of every failed check, applied to the facts, makes that check pass (issue 4)."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.eligibility.engine.programme import assess
from kechuang.eligibility.tests.strategies import STRATEGIES

AS_OF = datetime.date(2024, 6, 1)


@pytest.mark.parametrize("programme", sorted(STRATEGIES))
def test_applying_a_shortfall_passes_its_check(programme):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(STRATEGIES[programme], st.data())
    def run(facts, data):
        result = assess(facts, programme, AS_OF)
        for shortfall in result.shortfalls:
            fixed = assess(shortfall.apply(result.facts), programme, AS_OF)
            assert fixed.check(shortfall.check).passed is True, (shortfall, facts)

    run()


def test_some_generated_cases_do_have_shortfalls():
    """Guard against a vacuous property: the strategy must produce failing, fixable checks."""
    seen = set()

    @settings(max_examples=200, deadline=None)
    @given(STRATEGIES["tech_sme"])
    def collect(facts):
        for shortfall in assess(facts, "tech_sme", AS_OF).shortfalls:
            seen.add(shortfall.check.split(".")[0])

    collect()
    assert {"size", "score"} <= seen
