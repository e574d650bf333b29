"""Small helpers formulas use to add checks, points and shortfalls to an Assessment — so formulas stay short."""

from __future__ import annotations

import functools
from dataclasses import fields
from decimal import Decimal
from typing import Any

from kechuang.eligibility.engine.facts import COUNT, Facts
from kechuang.eligibility.engine.params import OPERATORS, ParameterView, Points, Scale, format_number
from kechuang.eligibility.engine.result import (
    Assessment,
    Check,
    Component,
    Shortfall,
    compare,
    increased,
    round_up,
)


def missing_of(facts: Facts, *names: str) -> tuple[str, ...]:
    """Return the names among ``names`` that are missing from ``facts``."""
    return tuple(name for name in names if facts.get(name) is None)


def add_check(result: Assessment, check_id: str, label: str, passed: bool | None, *, actual: Any = None,
              required: str = "", source: str = "", unit: str = "", missing: tuple[str, ...] = (),
              note: str = "", shortfall: Shortfall | None = None, role: str = "condition") -> Check:
    """Append a check (a shortfall is kept only when the check failed) and return it."""
    check = _new_check(check_id, label, passed, actual, required, source, unit, missing, note,
                       shortfall if passed is False else None, role)
    result.checks.append(check)
    return check


def _new_check(*values: Any) -> Check:
    """Return ``Check(*values)`` — built by filling its ``__dict__``: a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__``, which is most of the cost of a check in bulk screening."""
    check = _NEW(Check)
    check.__dict__.update(zip(_CHECK_FIELDS, values, strict=True))
    return check


_NEW = object.__new__
_CHECK_FIELDS = tuple(f.name for f in fields(Check))


@functools.lru_cache(maxsize=4096)
def requirement(operator: str, bound: Any, unit: str = "") -> str:
    """Return a requirement as checks print it ("≥ 6%"), formatted once per (operator, bound, unit)."""
    return f"{OPERATORS[operator]} {format_number(bound, unit)}"


def threshold_check(result: Assessment, params: ParameterView, check_id: str, label: str, actual: Decimal | None,
                    operator: str, parameter: str, *, unit: str = "", missing: tuple[str, ...] = (),
                    shortfall: Shortfall | None = None, note: str = "") -> Check:
    """Add the check ``actual <operator> params.<parameter>`` citing the parameter's source."""
    bound = getattr(params, parameter)
    passed = None if missing else compare(actual, operator, bound)
    return add_check(result, check_id, label, passed, actual=actual, required=requirement(operator, bound, unit),
                     source=params.source(parameter), unit=unit, missing=missing, note=note, shortfall=shortfall)


def fact_change(facts: Facts, check_id: str, name: str, delta: Decimal, message: str, unit: str = "") -> Shortfall:
    """Return the shortfall "change fact ``name`` by ``delta``" (the latest year takes it for a series)."""
    return Shortfall(check_id, message, {name: increased(facts[name], delta)}, abs(delta), unit)


def scale_component(result: Assessment, params: ParameterView, component_id: str, label: str, parameter: str,
                    x: Decimal | None, maximum: Decimal, *, basis: str = "", expert: bool = False) -> Component:
    """Score ``x`` on the scale ``params.<parameter>`` and append the component (points None if x is missing)."""
    scale: Scale = getattr(params, parameter)
    points = None if x is None else as_points(scale.lookup(x))
    component = Component(component_id, label, points, maximum, basis, expert)
    result.components.append(component)
    return component


def as_points(value: Any) -> Points:
    return value if isinstance(value, Points) else Points(Decimal(value), Decimal(value))


def count_needed(current: Decimal, target: Decimal) -> Decimal:
    """Return how many more (whole) items reach ``target`` from ``current``."""
    return max(round_up(target - current, COUNT), Decimal(0))


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """Return numerator ÷ denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def wan(amount: Decimal) -> str:
    """Return an amount in 万元 as a shortfall message writes it: "9.0 万元", "12.35 万元"."""
    text = format(amount.quantize(Decimal("0.01")), "f").rstrip("0")
    if text.endswith("."):
        text += "0"
    return f"{text} 万元"
