"""YAML test cases (测试用例) for the programmes, in ``kechuang/eligibility/cases/*.yaml`` (OpenFisca-style).

Each file is a list of cases::

    - name: 例1：16.67% 科技人员、6.00% 研发（6% 含）、1 项发明专利 ⇒ 88 分，符合
      programme: tech_sme
      as_of: 2024-06-01
      facts: {employees: 120, tech_staff: 20, ...}
      expect:
        eligible: true            # true / false / null (undetermined)
        score: 88                 # or [low, high] for a range
        checks: {score: true, staff_nonzero: true}   # check id → passed (true/false/null)
        points: {staff: 8, rd: 50}                   # component id → points (or [low, high]; null = missing)
        outputs: {size: small}    # a calculator's outputs (numbers compared exactly as Decimals)
        shortfalls: {score: 16}   # check id → amount of its shortfall
        expert_inputs: [tech_advancement]
        error: employees          # bad input: the FactError must name this field (or "programme", "as_of")

Only the keys given under ``expect`` are compared, so a case states exactly what it is about.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from kechuang.eligibility.engine.facts import FactError
from kechuang.eligibility.engine.params import Points, _DecimalLoader
from kechuang.eligibility.engine.programme import RulesNotInForce, UnknownProgramme, assess

CASE_DIR = Path(__file__).resolve().parent.parent / "cases"


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    programme: str
    as_of: datetime.date
    facts: dict[str, Any]
    expect: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def load_cases(directory: Path = CASE_DIR) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        for entry in yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader) or []:  # noqa: S506
            cases.append(Case(path.name, str(entry["name"]), str(entry["programme"]), entry["as_of"],
                              _plain_facts(entry.get("facts") or {}), entry["expect"]))
    return cases


def _plain_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """YAML dates stay dates and numbers stay Decimals; facts accept both, as JSON input would give."""
    return dict(facts)


def run_case(case: Case) -> list[str]:
    """Assess the case and return what differs from its expectations (empty: the case passes)."""
    expect = case.expect
    try:
        result = assess(case.facts, case.programme, case.as_of)
    except FactError as exc:
        return [] if expect.get("error") == exc.field else [f"unexpected FactError {exc}"]
    except (UnknownProgramme, RulesNotInForce) as exc:
        field = "programme" if isinstance(exc, UnknownProgramme) else "as_of"
        return [] if expect.get("error") == field else [f"unexpected {type(exc).__name__}: {exc}"]
    if "error" in expect:
        return [f"expected an error on {expect['error']!r}, got an assessment"]
    problems = []
    if "eligible" in expect and result.eligible != expect["eligible"]:
        problems.append(f"eligible: expected {expect['eligible']}, got {result.eligible}")
    if "score" in expect and not _same_points(result.score, expect["score"]):
        problems.append(f"score: expected {expect['score']}, got {result.score}")
    for check_id, passed in (expect.get("checks") or {}).items():
        actual = _check(result, check_id)
        if actual is _ABSENT or actual.passed != passed:
            problems.append(f"check {check_id}: expected {passed}, got "
                            f"{'no such check' if actual is _ABSENT else actual.passed}")
    components = {c.id: c.points for c in result.components}
    for component_id, points in (expect.get("points") or {}).items():
        if component_id not in components or not _same_points(components[component_id], points):
            problems.append(f"points {component_id}: expected {points}, got {components.get(component_id)}")
    for key, value in (expect.get("outputs") or {}).items():
        if not _same_value(result.outputs.get(key, _ABSENT), value):
            problems.append(f"output {key}: expected {value}, got {result.outputs.get(key, '(absent)')}")
    for check_id, amount in (expect.get("shortfalls") or {}).items():
        check = _check(result, check_id)
        got = None if check is _ABSENT or check.shortfall is None else check.shortfall.amount
        if got is None or Decimal(got) != Decimal(amount):
            problems.append(f"shortfall {check_id}: expected {amount}, got {got}")
    if "expert_inputs" in expect and sorted(result.expert_inputs) != sorted(expect["expert_inputs"]):
        problems.append(f"expert_inputs: expected {expect['expert_inputs']}, got {result.expert_inputs}")
    return problems


_ABSENT: Any = object()


def _check(result: Any, check_id: str) -> Any:
    try:
        return result.check(check_id)
    except KeyError:
        return _ABSENT


def _same_points(actual: Points | None, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    low, high = (expected, expected) if not isinstance(expected, list) else expected
    return actual.low == Decimal(low) and actual.high == Decimal(high)


def _same_value(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Decimal) and isinstance(actual, int | float | Decimal) and not isinstance(actual, bool):
        return Decimal(str(actual)) == expected
    return actual == expected
