"""The facts form (事实表单) of a programme, built from its declared facts: the what-if and manual pre-review input.

One field per scalar fact and one per year of a series (``rd_expense_3y__0`` … oldest first). Empty fields are
missing facts, never zero; a yes/no fact offers "未填" as well, for the same reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms

from kechuang.eligibility.engine.facts import BOOL, CODES, COUNT, DATE, MONEY, RATIO, TEXT, Fact
from kechuang.eligibility.engine.programme import Programme

YES_NO = [("", "未填"), ("true", "是"), ("false", "否")]


def series_field_names(fact: Fact) -> list[str]:
    return [f"{fact.name}__{i}" for i in range(fact.length or 0)]


class FactsForm(forms.Form):
    """Fields for every fact of ``programme``; ``facts()`` returns what was filled in, for ``assess``."""

    def __init__(self, *args: Any, programme: Programme, year: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.year = year
        for fact in programme.facts:
            if fact.is_series:
                for i, name in enumerate(series_field_names(fact)):
                    self.fields[name] = _field(fact, label=f"{fact.label}（{self._year_label(fact, i)}）")
            else:
                self.fields[fact.name] = _field(fact, label=fact.label)

    def _year_label(self, fact: Fact, index: int) -> str:
        assert fact.length is not None
        if self.year is None:
            return f"第 {index + 1} 年"
        return f"{self.year - (fact.length - 1 - index)} 年"

    def groups(self) -> list[tuple[Fact, list[forms.BoundField]]]:
        """Return (fact, its bound fields) in declaration order, for the template."""
        out = []
        for fact in self.programme.facts:
            names = series_field_names(fact) if fact.is_series else [fact.name]
            out.append((fact, [self[name] for name in names]))
        return out

    def facts(self) -> dict[str, Any]:
        """Return the filled-in facts (JSON-like values); a series counts only when given for its latest years."""
        data = self.cleaned_data
        facts: dict[str, Any] = {}
        for fact in self.programme.facts:
            if fact.is_series:
                values = [data.get(name) for name in series_field_names(fact)]
                while values and values[0] is None:  # a younger enterprise: fewer, later years
                    values.pop(0)
                if values and all(v is not None for v in values):
                    facts[fact.name] = values
                continue
            value = data.get(fact.name)
            if value in (None, ""):
                continue
            if fact.kind == BOOL:
                value = value == "true"
            elif fact.kind == CODES:
                value = [code.strip() for code in value.replace("，", ",").split(",") if code.strip()]
            facts[fact.name] = value
        return facts


def initial_from_facts(programme: Programme, facts: dict[str, Any]) -> dict[str, Any]:
    """Return the form's initial data for ``facts`` (e.g. built from the registry)."""
    initial: dict[str, Any] = {}
    for fact in programme.facts:
        value = facts.get(fact.name)
        if value is None:
            continue
        if fact.is_series:
            names = series_field_names(fact)
            for name, item in zip(names[len(names) - len(value):], value, strict=True):
                initial[name] = item
        elif fact.kind == BOOL:
            initial[fact.name] = "true" if value else "false"
        elif fact.kind == CODES:
            initial[fact.name] = ", ".join(sorted(value))
        elif isinstance(value, datetime.date | Decimal | int | str):
            initial[fact.name] = value
    return initial


def _field(fact: Fact, *, label: str) -> forms.Field:
    common = {"label": label, "required": False, "help_text": fact.help}
    if fact.kind == BOOL:
        return forms.ChoiceField(choices=YES_NO, **common)
    if fact.kind == DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if fact.kind == TEXT:
        if fact.choices:
            return forms.ChoiceField(choices=[("", "未填"), *((c, c) for c in fact.choices)], **common)
        return forms.CharField(max_length=100, **common)
    if fact.kind == CODES:
        return forms.CharField(max_length=500, **{**common, "help_text": fact.help or "多个代码以逗号分隔"})
    if fact.kind == COUNT:
        return forms.IntegerField(min_value=None if fact.signed else 0, **common)
    places = 4 if fact.kind == RATIO else 2
    return forms.DecimalField(decimal_places=places if fact.kind in (MONEY, RATIO) else None,
                              min_value=None if fact.signed else 0, max_value=1 if fact.kind == RATIO else None,
                              **common)
