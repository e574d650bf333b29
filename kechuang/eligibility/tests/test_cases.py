"""Every YAML case in kechuang/eligibility/cases/ (worked examples, band edges, dates, bad input)."""

import pytest

from kechuang.eligibility.engine.cases import load_cases, run_case

CASES = load_cases()


def test_there_are_cases_for_every_built_in_programme():
    from kechuang.eligibility.engine.programme import REGISTRY

    covered = {case.programme for case in CASES}
    assert set(REGISTRY) <= covered


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case):
    assert run_case(case) == []
