"""The facts form (事实表单) of a programme, built from its declared facts: the what-if and manual pre-review input.

One field per scalar fact and one per year of a series (``rd_expense_3y__0`` … oldest first). Empty fields are
missing facts, never zero; a yes/no fact offers "未填" as well, for the same reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.serializers.json import DjangoJSONEncoder

from kechuang.eligibility.engine.facts import (
    BOOL,
    CODES,
    COUNT,
    DATE,
    MONEY,
    NUMBER,
    RATIO,
    TEXT,
    Fact,
    _jsonable,
)
from kechuang.eligibility.engine.programme import Programme

SCALAR_KINDS = (BOOL, CODES, COUNT, DATE, MONEY, NUMBER, RATIO, TEXT)

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
        elif fact.kind not in SCALAR_KINDS:
            initial[fact.name] = _jsonable(value)
        elif isinstance(value, datetime.date | Decimal | int | str):
            initial[fact.name] = value
    return initial


def _field(fact: Fact, *, label: str) -> forms.Field:
    common = {"label": label, "required": False, "help_text": fact.help}
    if fact.kind not in SCALAR_KINDS:  # a structured fact (e.g. 研发项目明细): JSON, as the API takes it
        return forms.JSONField(encoder=DjangoJSONEncoder, widget=forms.Textarea(attrs={"rows": 4}),
                               **{**common, "help_text": fact.describe_unit()})
    if fact.kind == BOOL:
        return forms.ChoiceField(choices=YES_NO, **common)
    if fact.kind == DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
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


class ScreeningForm(forms.Form):
    """Start a batch screening (批量筛选): programme, data year, region (within the officer's scope), date."""

    programme = forms.ChoiceField(label="评价项目")
    year = forms.IntegerField(label="数据年度", min_value=2015)
    region = forms.CharField(label="区域（区划代码）", max_length=12,
                             help_text="筛选该区域（含下级）内、您管辖范围中的企业")
    as_of = forms.DateField(label="评估日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from kechuang.core.permissions import assignments_of
        from kechuang.eligibility.engine.programme import REGISTRY

        today = datetime.date.today()
        self.user = user
        self.scopes = [a for a in assignments_of(user) if a.scope_kind in ("region", "global")]
        first = next((a.region_id for a in self.scopes if a.region_id), "")
        kwargs.setdefault("initial", {"year": today.year - 1, "as_of": today, "region": first})
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, p.label) for p in REGISTRY.values()
                                            if p.kind == "qualification" and p.rung]

    def clean_region(self) -> Any:
        """The region must exist and lie inside one of the officer's region scopes (or the scope is global)."""
        from kechuang.regions.models import Region, normalize_region_code

        try:
            code = normalize_region_code(self.cleaned_data["region"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(f"区划代码 {code} 不存在。")
        if not any(a.scope_kind == "global" or (a.region is not None and region.code.startswith(a.region.prefix))
                   for a in self.scopes):
            raise forms.ValidationError("只能筛选您管辖范围内的区域。")
        return region

    def clean_as_of(self) -> datetime.date:
        as_of = self.cleaned_data["as_of"]
        if as_of > datetime.date.today():
            raise forms.ValidationError("评估日期不能晚于今天。")
        return as_of
