"""Derived-indicator formulas (派生公式): parsed, never eval()'d; missing operand or zero denominator → None."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kechuang.indicators.formula import FormulaError, evaluate, operands, parse_formula
from kechuang.indicators.models import Indicator

D = Decimal


@pytest.mark.parametrize("text", [
    "__import__('os').system('id')",  # a call
    "abs(gdp)",
    "gdp.real",  # an attribute
    "'gdp'",  # a string
    "gdp ** 2",  # power is not + − × ÷
    "gdp // 2",
    "gdp % 2",
    "gdp if gdp else 1",
    "[gdp]",
    "True",
    "1j",
    "+gdp",
    "gdp[0]",
    "lambda: gdp",
])
def test_formula_with_anything_but_arithmetic_is_refused(text):
    with pytest.raises(FormulaError, match="只能包含指标代码、数字、加减乘除和括号"):
        parse_formula(text)


@pytest.mark.parametrize("text", ["gdp +", "(gdp", "gdp gdp", ""])
def test_formula_that_does_not_parse_is_refused(text):
    with pytest.raises(FormulaError, match="不是合法的算式"):
        parse_formula(text)


def test_rd_intensity_worked_example():
    # RULES.md §11: district R&D 45亿 / GDP 1,500亿 ⇒ 3.00 %
    assert evaluate("rd_expenditure / gdp * 100", {"rd_expenditure": D(45), "gdp": D(1500)}) == D("3.00")
    # 高新技术产业增加值 620亿 / 规上工业增加值 1,000亿 ⇒ 62 %
    assert evaluate("hightech_value_added / industrial_value_added * 100",
                    {"hightech_value_added": D(620), "industrial_value_added": D(1000)}) == D(62)


def test_arithmetic_precedence_parentheses_and_unary_minus():
    values = {"a": D(10), "b": D(4), "c": D(2)}
    assert evaluate("a - b * c", values) == D(2)  # 10 − 8
    assert evaluate("(a - b) * c", values) == D(12)  # 6 × 2
    assert evaluate("-a + b", values) == D(-6)
    assert evaluate("a * 0.5", values) == D(5)


def test_missing_operand_gives_none_not_zero():
    assert evaluate("rd_expenditure / gdp * 100", {"gdp": D(1500)}) is None
    assert evaluate("a + b", {"a": D(1), "b": None}) is None


def test_division_by_zero_gives_none():
    assert evaluate("a / b", {"a": D(1), "b": D(0)}) is None
    assert evaluate("a / (b - b)", {"a": D(0), "b": D(3)}) is None


def test_operands_in_order_of_first_appearance():
    assert operands("rd_expenditure / gdp * 100") == ["rd_expenditure", "gdp"]
    assert operands("(a * b) + c - a") == ["a", "b", "c"]


def test_indicator_clean_checks_the_formula():
    bad = Indicator(code="x", name="x", unit="%", group="rd", kind="derived", formula="abs(gdp)")
    with pytest.raises(ValidationError) as caught:
        bad.clean()
    assert "formula" in caught.value.message_dict
    reported = Indicator(code="y", name="y", unit="%", group="rd", kind="reported", formula="a / b")
    with pytest.raises(ValidationError, match="只有派生指标才有计算公式"):
        reported.clean()
    derived = Indicator(code="z", name="z", unit="%", group="rd", kind="derived")
    with pytest.raises(ValidationError, match="派生指标必须填写计算公式"):
        derived.clean()
