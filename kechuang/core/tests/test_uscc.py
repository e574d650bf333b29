"""统一社会信用代码 check characters (GB 32100-2015, GB 11714-1997), with property tests (SECURITY.md E1)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import assume, given
from hypothesis import strategies as st

from kechuang.core.uscc import CHARSET, org_check_char, uscc_check_char, uscc_problem, validate_uscc

KNOWN_VALID = ["91350100M000100Y43"]  # the canonical example of GB 32100 (SECURITY.md E10)

ORG_BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@st.composite
def valid_codes(draw):
    head = draw(st.sampled_from(["1", "5", "9", "Y"])) + draw(st.sampled_from(["1", "2", "3"]))
    division = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    body = draw(ORG_BODY)
    first17 = head + division + body + org_check_char(body)
    return first17 + uscc_check_char(first17)


def test_the_canonical_example_is_valid():
    for code in KNOWN_VALID:
        assert uscc_problem(code) is None
        validate_uscc(code)


@given(valid_codes())
def test_generated_codes_are_valid(code):
    assert uscc_problem(code) is None


@given(valid_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(CHARSET + "IOZSVa-"))
def test_every_single_character_corruption_is_rejected(code, position, replacement):
    assume(code[position] != replacement)
    corrupted = code[:position] + replacement + code[position + 1:]
    assert uscc_problem(corrupted) is not None


def test_the_message_names_the_wrong_character():
    good = KNOWN_VALID[0]
    with pytest.raises(ValidationError, match="第 18 位（校验码）应为“3”"):
        validate_uscc(good[:17] + "4")
    assert uscc_problem(good[:3] + "I" + good[4:]).position == 4
    assert "18 位" in uscc_problem(good[:10]).message


def test_full_width_and_lower_case_input_is_folded():
    validate_uscc(" 91350100ｍ000100y43 ")


def test_check_uscc_command_prints_one_line_per_code():
    out = io.StringIO()
    good = KNOWN_VALID[0]
    with pytest.raises(CommandError) as failure:
        call_command("check_uscc", good, good[:17] + "0", "123", stdout=out)
    assert failure.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{good} valid"
    assert lines[1].startswith(f"{good[:17]}0 invalid expected 3")
    assert lines[2].startswith("123 invalid")
    out = io.StringIO()
    call_command("check_uscc", good, stdout=out)
    assert out.getvalue().strip() == f"{good} valid"
