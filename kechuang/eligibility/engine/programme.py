"""Programmes (评价/认定项目) and ``assess(facts, programme, as_of)``.

A programme declares its facts and has one or more *formulas*, each a small function in force from a date
(OpenFisca's ``formula_2016_01``): ``formula(facts, params, result)`` reads parameters only through the
``ParameterView`` it is given, appends checks and points to ``result`` and sets ``result.eligible``. A rule
change adds a dated formula or a dated parameter entry; old ones stay, so any past date can be re-assessed.

The rules version of an assessment names the formula in force and the digest of the parameter file, so a saved
assessment or screening run can be replayed against exactly the rules it used.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kechuang.eligibility.engine.facts import Fact, FactError, Facts
from kechuang.eligibility.engine.params import ParameterError, ParameterSet, ParameterView, parameter_set
from kechuang.eligibility.engine.result import Assessment

Formula = Callable[[Facts, ParameterView, Assessment], None]


class UnknownProgramme(LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"未知的评价项目“{code}”。可用：{'、'.join(sorted(REGISTRY)) or '（无）'}。")
        self.code = code


class RulesNotInForce(ValueError):
    """The date asked for is before the first version of the programme's rules."""


@dataclass
class Programme:
    """One programme: code, Chinese label, declared facts, dated formulas, and the rung it leads to.

    ``rung`` is the qualification kind code (enterprises app) an eligible enterprise would hold — screening uses
    it to tell candidates from holders; calculators (sme_size, rd_deduction) have none. ``parameters`` names
    the parameter file (defaults to the code); a data-defined local programme supplies its ParameterSet.
    """

    code: str
    label: str
    facts: tuple[Fact, ...]
    rung: str = ""
    kind: str = "qualification"  # or "calculator"
    description: str = ""
    parameters: str = ""
    parameter_source: ParameterSet | None = None
    formulas: list[tuple[datetime.date, Formula]] = field(default_factory=list)

    def formula(self, start: str) -> Callable[[Formula], Formula]:
        """Decorator: register ``fn`` as this programme's formula from ``start`` (YYYY-MM-DD)."""
        def register(fn: Formula) -> Formula:
            self.formulas.append((datetime.date.fromisoformat(start), fn))
            self.formulas.sort(key=lambda pair: pair[0])
            return fn
        return register

    @property
    def fact_map(self) -> dict[str, Fact]:
        cached = self.__dict__.get("_fact_map")
        if cached is None or cached[0] is not self.facts:  # rebuilt only if ``facts`` is replaced
            cached = (self.facts, {fact.name: fact for fact in self.facts})
            self.__dict__["_fact_map"] = cached
        return cached[1]

    @property
    def params(self) -> ParameterSet:
        return self.parameter_source or parameter_set(self.parameters or self.code)

    @property
    def first_date(self) -> datetime.date:
        return max(self.formulas[0][0], self.params.first_date)

    def formula_at(self, as_of: datetime.date) -> tuple[datetime.date, Formula]:
        in_force = [(start, fn) for start, fn in self.formulas if start <= as_of]
        if not in_force or as_of < self.params.first_date:
            raise RulesNotInForce(f"“{self.label}”的规则自 {self.first_date.isoformat()} 起施行，"
                                  f"无法按 {as_of.isoformat()} 评估。")
        return in_force[-1]

    def rules_version(self, as_of: datetime.date) -> str:
        start, _ = self.formula_at(as_of)
        return f"{self.code}@{start.isoformat()}#{self.params.digest}"

    def validate(self, raw: Mapping[str, Any] | Facts) -> Facts:
        if isinstance(raw, Facts):
            return raw
        return Facts.validate(self.facts, raw)

    def assess(self, raw: Mapping[str, Any] | Facts, as_of: datetime.date, *, detail: bool = True,
               trusted: bool = False) -> Assessment:
        """Validate ``raw`` and assess it under the rules in force on ``as_of``.

        ``detail=False`` (bulk screening) skips the optional hints; verdict, checks and shortfalls are the same.
        ``trusted=True`` takes ``raw`` as already clean (see ``Facts.trusted``) and skips validation.
        """
        facts = Facts.trusted(dict(raw)) if trusted and not isinstance(raw, Facts) else self.validate(raw)
        start, formula = self.formula_at(as_of)
        result = Assessment(self.code, self.label, f"{self.code}@{start.isoformat()}#{self.params.digest}",
                            as_of, facts, detail=detail)
        formula(facts, self.params.at(as_of), result)
        return result


REGISTRY: dict[str, Programme] = {}
_LOCAL_RESOLVERS: list[Callable[[str], Programme | None]] = []


def register(programme: Programme) -> Programme:
    """Add a built-in programme to the registry (at import time of its module)."""
    REGISTRY[programme.code] = programme
    return programme


def add_resolver(resolver: Callable[[str], Programme | None]) -> None:
    """Let programmes defined as data (YAML files, the admin page) be found by code."""
    _LOCAL_RESOLVERS.append(resolver)


def get_programme(code: str) -> Programme:
    """Return the programme registered (or defined as data) under ``code``; raise UnknownProgramme."""
    if code in REGISTRY:
        return REGISTRY[code]
    for resolver in _LOCAL_RESOLVERS:
        found = resolver(code)
        if found is not None:
            return found
    raise UnknownProgramme(code)


def assess(facts: Mapping[str, Any] | Facts, programme: str, as_of: datetime.date) -> Assessment:
    """Assess ``facts`` for ``programme`` on ``as_of``.

    Raises UnknownProgramme, FactError (naming the field) or RulesNotInForce — all mean "bad input".
    """
    return get_programme(programme).assess(facts, as_of)


BAD_INPUT = (UnknownProgramme, FactError, RulesNotInForce, ParameterError)
