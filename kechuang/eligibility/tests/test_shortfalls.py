"""Property: the shortfall of every failed check, applied to the facts, makes that check pass (issue 4)."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.eligibility.engine.facts import FactError
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


def _score_shortfall_over_every_option(facts, p, total):
    """The 科小 score shortfall as first written: every option of ``_options`` priced, then chosen — the oracle for
    ``tech_sme._score_shortfall``, which prices only the options it may choose."""
    from decimal import Decimal

    from kechuang.eligibility.engine.params import format_number
    from kechuang.eligibility.engine.result import Shortfall
    from kechuang.eligibility.rules.tech_sme import _options

    gap = p.pass_score - total.low
    options = _options(facts, p)
    single = [o for o in options if o[0] >= gap]
    if single:
        gain, changes, text = single[0] if len(single) == 1 else min(single, key=lambda o: o[0])
        return Shortfall("score", f"综合得分还差 {format_number(gap)} 分：{text()}可增加 {format_number(gain)} 分",
                         changes, gap, "分")
    chosen: dict = {}
    texts, gained = [], Decimal(0)
    for kind in ("tech_staff", "rd_expense", "class"):
        kind_options = [o for o in options if any(k.startswith(kind) for k in o[1])]
        if kind_options and gained < gap:
            gain, changes, text = max(kind_options, key=lambda o: o[0])
            chosen.update(changes)
            texts.append(text())
            gained += gain
    if gained < gap:
        return None
    return Shortfall("score", f"综合得分还差 {format_number(gap)} 分：{'，且'.join(texts)}", chosen, gap, "分")



def _registry_facts_as_assessed():
    """Registry-shaped 科小 facts a few units either side of every edge (``triage_facts``), as screening projects them."""
    from kechuang.eligibility.engine.programme import get_programme
    from kechuang.eligibility.screening import Screener
    from kechuang.eligibility.tests.triage_facts import AS_OF as SCREENING_AS_OF
    from kechuang.eligibility.tests.triage_facts import tech_sme_registry_facts

    screener = Screener(get_programme("tech_sme"), SCREENING_AS_OF)
    return tech_sme_registry_facts().map(lambda facts: screener.project({**facts, "qualifications": frozenset()}))


class _WithPassScore:
    """A parameter view with another pass mark (the shortfall's choice at marks no single change reaches)."""

    def __init__(self, view, pass_score):
        self.view, self.pass_score = view, pass_score

    def __getattr__(self, name):
        return getattr(self.view, name)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=st.one_of(STRATEGIES["tech_sme"], _registry_facts_as_assessed()), pass_score=st.sampled_from((60, 72, 95)))
def test_the_tech_sme_score_shortfall_prices_only_what_it_may_choose(facts, pass_score):
    """Same shortfall — message, changes, amount — as choosing over every option, at the pass mark in force and
    at higher ones (where no single change reaches it and the best of each kind is combined, or none is)."""
    from decimal import Decimal

    from kechuang.eligibility.engine.programme import get_programme
    from kechuang.eligibility.rules.tech_sme import _score_shortfall

    programme = get_programme("tech_sme")
    try:
        result = programme.assess(facts, AS_OF)
    except FactError:
        return  # figures that contradict each other: no score to fall short of
    if result.score is None:
        return
    p = _WithPassScore(programme.params.at(AS_OF), Decimal(pass_score))
    if result.score.low >= p.pass_score:
        return
    assert _score_shortfall(result.facts, p, result.score) == \
        _score_shortfall_over_every_option(result.facts, p, result.score)
