"""Filters of the enterprise registry: the list pages, their exports, the API lists and the dashboard share them.

A few filters take a parameter from a sibling field (the date a rung is held on, the year of a size band or of
an annual figure). Those parameter fields filter nothing themselves; when a request leaves them out they take
their defaults (today, last year), and the form shows the value that was used.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import django_filters
from django import forms
from django.db.models import DecimalField, Exists, OuterRef, PositiveIntegerField, Q, QuerySet
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kechuang.core.filtersets import BaseFilterSet
from kechuang.enterprises.choices import (
    SIZE_BAND_EMPLOYEES,
    HighTechField,
    IPClass,
    IPStatus,
    IPType,
    ListingStatus,
    Ownership,
    QualificationLevel,
    QualificationStatus,
    SizeBand,
)
from kechuang.enterprises.industry import sections
from kechuang.enterprises.models import (
    Enterprise,
    EnterpriseYear,
    IntellectualProperty,
    Qualification,
    QualificationKind,
)
from kechuang.enterprises.querysets import INACTIVE, _subtree_range

HNTE = "hnte"  # 高新技术企业 (国科发火〔2016〕32号)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the only value format <input type=date> takes


def html_attrs(attrs: dict[str, Any]) -> str:
    """Return `attrs` as Django's widgets/attrs.html writes them: ` name="value"`, ` name` for True, nothing for
    False; values escaped."""
    return "".join(f" {name}" if value is True else f' {name}="{escape(value)}"'
                   for name, value in attrs.items() if value is not False)


class ListSelect(forms.Select):
    """A <select> written in Python with the markup of Django's templates (widgets/select.html): Django renders
    every <option> through its own template include, about 0.1 ms each, and the enterprise list's filters hold
    some 90 options on a page that must answer within 300 ms."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{html_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            parts.extend(f'\n  <option value="{escape(option["value"])}"{html_attrs(option["attrs"])}>'
                         f'{conditional_escape(option["label"])}</option>' for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every value and label is escaped above


def annual_figure_choices() -> list[tuple[str, Any]]:
    """Return the numeric fields of EnterpriseYear (money, counts) as (name, Chinese label) choices."""
    return [(f.name, f.verbose_name) for f in EnterpriseYear._meta.concrete_fields
            if isinstance(f, DecimalField | PositiveIntegerField) and f.name != "year"]


def industry_section_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {industry.name}") for code, industry in sections().items()]


class RegionSubtreeFilter(django_filters.CharFilter):
    """A region code prefix (如 320102) or a full 12-digit code: rows whose region lies in that subtree.

    `field_name` is the path to the region code (`region`, `enterprise__region`). Anything that is not 1–12
    digits matches nothing, like regions' `within`.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("所属区划（代码）"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": _("如 320102")}))
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        if not value.isdigit() or len(value) > 12:
            return qs.none()
        low, high = _subtree_range(value)
        return qs.filter(**{f"{self.field_name}__gte": low, f"{self.field_name}__lte": high})


class ParameterFilterSet(BaseFilterSet):
    """A FilterSet whose parameter fields (see module docstring) get a default when the request omits them."""

    def parameter_defaults(self) -> dict[str, Any]:
        return {}

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        defaults = self.parameter_defaults()
        if data is not None:
            data = data.copy()
            for name, value in defaults.items():
                if not data.get(name):
                    data[name] = str(value)
        super().__init__(data, *args, **kwargs)
        for name, value in defaults.items():
            self.form.fields[name].initial = value

    def parameter(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """A parameter of another filter: filters nothing on its own."""
        return queryset

    def value_of(self, name: str) -> Any:
        """Return a parameter's cleaned value, or its default."""
        return self.form.cleaned_data.get(name) or self.parameter_defaults().get(name)


def _last_year() -> int:
    """Annual figures of year Y arrive during Y+1: the latest complete year is last year."""
    return timezone.localdate().year - 1


class EnterpriseFilterSet(ParameterFilterSet):
    """企业库 filters: region subtree, industry, field, rung held on a date, size band, annual figure range."""

    region = RegionSubtreeFilter(field_name="region")
    industry_section = django_filters.ChoiceFilter(choices=industry_section_choices, label=_("行业门类"),
                                                   widget=ListSelect)
    industry = django_filters.CharFilter(method="filter_industry", label=_("行业代码（前缀）"))
    hightech_field = django_filters.ChoiceFilter(choices=HighTechField.choices, label=_("高新技术领域"),
                                                widget=ListSelect)
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("登记注册类型"), widget=ListSelect)
    listing_status = django_filters.ChoiceFilter(choices=ListingStatus.choices, label=_("上市情况"),
                                                widget=ListSelect)
    rung = django_filters.ModelChoiceFilter(
        queryset=QualificationKind.objects.filter(is_active=True), to_field_name="code",
        method="filter_rung", label=_("持有资质"), widget=ListSelect)
    rung_on = django_filters.DateFilter(method="parameter", label=_("持有日期"), widget=DATE_INPUT)
    size_band = django_filters.ChoiceFilter(choices=SizeBand.choices, method="filter_size_band",
                                            label=_("规模（职工人数）"), widget=ListSelect)
    size_year = django_filters.NumberFilter(method="parameter", label=_("规模年度"))
    figure = django_filters.ChoiceFilter(choices=annual_figure_choices, method="filter_figure",
                                         label=_("年度指标"), widget=ListSelect)
    figure_year = django_filters.NumberFilter(method="parameter", label=_("指标年度"))
    figure_min = django_filters.NumberFilter(method="parameter", label=_("指标下限"))
    figure_max = django_filters.NumberFilter(method="parameter", label=_("指标上限"))

    class Meta:
        model = Enterprise
        fields = ("q", "region", "industry_section", "industry", "hightech_field", "ownership", "listing_status",
                  "rung", "rung_on", "size_band", "size_year", "figure", "figure_year", "figure_min",
                  "figure_max")

    def parameter_defaults(self) -> dict[str, Any]:
        return {"rung_on": timezone.localdate(), "size_year": _last_year(), "figure_year": _last_year()}

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Return enterprises whose name, former name or credit code contains `value`."""
        value = value.strip()
        if not value:
            return queryset
        # Former names are a JSON list; SQLite stores non-ASCII text there as \\uXXXX escapes.
        escaped = json.dumps(value)[1:-1]
        return queryset.filter(Q(name__icontains=value) | Q(uscc__icontains=value) | Q(
            former_names__icontains=value) | Q(former_names__icontains=escaped))

    def filter_industry(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value.isdigit() or len(value) > 4:
            return queryset.none()
        return queryset.filter(industry_code__startswith=value)

    def filter_rung(self, queryset: QuerySet, name: str, kind: QualificationKind) -> QuerySet:
        """Return enterprises holding `kind` on the chosen date (today unless given)."""
        return queryset.qualified(kind, on=self.value_of("rung_on"))

    def filter_size_band(self, queryset: QuerySet, name: str, band: str) -> QuerySet:
        """Return enterprises whose employees in the chosen year fall in `band`."""
        low, high = SIZE_BAND_EMPLOYEES[SizeBand(band)]
        condition = Q(employees__gte=low) if high is None else Q(employees__gte=low, employees__lte=high)
        return queryset.filter(self._has_year(self.value_of("size_year"), condition))

    def filter_figure(self, queryset: QuerySet, name: str, figure: str) -> QuerySet:
        """Return enterprises whose `figure` in the chosen year lies in [min, max] (either end optional);
        with neither end, those that reported the figure that year."""
        condition = Q(**{f"{figure}__isnull": False})
        low, high = self.form.cleaned_data.get("figure_min"), self.form.cleaned_data.get("figure_max")
        if low is not None:
            condition &= Q(**{f"{figure}__gte": low})
        if high is not None:
            condition &= Q(**{f"{figure}__lte": high})
        return queryset.filter(self._has_year(self.value_of("figure_year"), condition))

    @staticmethod
    def _has_year(year: int, condition: Q) -> Exists:
        return Exists(EnterpriseYear.objects.filter(condition, enterprise=OuterRef("pk"), year=int(year)))


class EnterpriseYearFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc")

    region = RegionSubtreeFilter(field_name="enterprise__region")
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = EnterpriseYear
        fields = ("q", "region", "year")


class IntellectualPropertyFilterSet(BaseFilterSet):
    search_fields = ("number", "title", "enterprise__name", "enterprise__uscc")

    region = RegionSubtreeFilter(field_name="enterprise__region")
    ip_type = django_filters.ChoiceFilter(choices=IPType.choices, label=_("类型"))
    ip_class = django_filters.ChoiceFilter(choices=[c for c in IPClass.choices if c[0]], label=_("类别"))
    status = django_filters.ChoiceFilter(choices=IPStatus.choices, label=_("状态"))
    granted_year = django_filters.NumberFilter(field_name="granted_on", lookup_expr="year", label=_("授权年度"))

    class Meta:
        model = IntellectualProperty
        fields = ("q", "region", "ip_type", "ip_class", "status", "granted_year")


class QualificationFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc", "number", "batch")

    region = RegionSubtreeFilter(field_name="enterprise__region")
    kind = django_filters.ModelChoiceFilter(queryset=QualificationKind.objects.all(), to_field_name="code",
                                            label=_("资质类型"))
    status = django_filters.ChoiceFilter(choices=QualificationStatus.choices, label=_("状态"))
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("在该日有效"), widget=DATE_INPUT)
    granted_year = django_filters.NumberFilter(field_name="granted_on", lookup_expr="year", label=_("认定年度"))

    class Meta:
        model = Qualification
        fields = ("q", "region", "kind", "status", "valid_on", "granted_year")

    def filter_valid_on(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.valid_on(value)


class QualificationKindFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "basis")

    level = django_filters.ChoiceFilter(choices=QualificationLevel.choices, label=_("级别"))

    class Meta:
        model = QualificationKind
        fields = ("q", "level", "is_active")


def rerecognition_due(qualifications: QuerySet, *, as_of: date) -> QuerySet:
    """Return the 高企 certificates due for re-recognition (重新认定): valid to a day in `as_of`'s calendar year
    or the next, not revoked or cancelled, and not yet followed by a later 高企 certificate of the same
    enterprise. (A 高企 certificate is valid three years, 国科发火〔2016〕32号 第十条; an enterprise re-applies
    in the year it expires.)"""
    renewed = Qualification.objects.filter(kind__code=HNTE, enterprise=OuterRef("enterprise"),
                                           valid_from__gt=OuterRef("valid_from")).exclude(status__in=INACTIVE)
    return qualifications.filter(
        kind__code=HNTE, valid_to__gte=date(as_of.year, 1, 1), valid_to__lte=date(as_of.year + 1, 12, 31),
    ).exclude(status__in=INACTIVE).filter(~Exists(renewed))


class RerecognitionDueFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc", "number")

    region = RegionSubtreeFilter(field_name="enterprise__region")
    expiry_year = django_filters.NumberFilter(field_name="valid_to", lookup_expr="year", label=_("到期年度"))

    class Meta:
        model = Qualification
        fields = ("q", "region", "expiry_year")
