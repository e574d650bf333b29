"""Derived-indicator formulas (派生公式): arithmetic over other indicators' codes, parsed, never eval()'d.

A formula such as ``rd_expenditure / gdp * 100`` may use indicator codes, decimal numbers, + − × ÷ and
parentheses. Evaluation is in Decimal; a missing operand or a division by zero gives None (数据暂缺), never 0.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


class FormulaError(ValueError):
    """A formula that is not plain arithmetic over indicator codes."""


def parse_formula(text: str) -> ast.Expression:
    """Return the parsed formula, or raise FormulaError with a Chinese message."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise FormulaError(f"公式“{text}”不是合法的算式。") from None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.BinOp, ast.Name, ast.Load, *_OPERATORS)):
            continue
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            continue
        if isinstance(node, ast.USub):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(
                node.value, bool):
            continue
        raise FormulaError(f"公式“{text}”只能包含指标代码、数字、加减乘除和括号。")
    return tree


def operands(text: str) -> list[str]:
    """Return the indicator codes a formula reads, in order of first appearance."""
    seen: list[str] = []
    # ast.walk is breadth-first ("(a * b) + c" would give c first): sort the names by where they stand.
    names = [node for node in ast.walk(parse_formula(text)) if isinstance(node, ast.Name)]
    for node in sorted(names, key=lambda name: (name.lineno, name.col_offset)):
        if node.id not in seen:
            seen.append(node.id)
    return seen


def evaluate(text: str | ast.Expression, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """Return the formula's value from `values` (code → figure), or None when an operand is missing or a
    denominator is zero."""
    tree = parse_formula(text) if isinstance(text, str) else text
    try:
        return _eval(tree.body, values)
    except (_Missing, InvalidOperation, ZeroDivisionError):
        return None


class _Missing(Exception):
    pass


def _eval(node: ast.AST, values: Mapping[str, Decimal | None]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise _Missing(node.id)
        return Decimal(value)
    if isinstance(node, ast.UnaryOp):
        return -_eval(node.operand, values)
    assert isinstance(node, ast.BinOp)
    left, right = _eval(node.left, values), _eval(node.right, values)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        raise ZeroDivisionError
    return left / right
