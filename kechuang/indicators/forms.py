"""Forms of the indicator pages. Region fields take a region code (2–12 digits) checked against the user's scope
by the services; numbers are parsed by the services, which give the Chinese messages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.indicators.choices import BlackRule, IndicatorKind
from kechuang.indicators.models import AssessmentScheme, Indicator
from kechuang.indicators.periods import validate_period
from kechuang.regions.models import Region, normalize_region_code

CSS = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class RegionCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("区划代码"))
        kwargs.setdefault("widget", forms.TextInput(attrs={**CSS, "inputmode": "numeric"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Region | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            code = normalize_region_code(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划代码“%(code)s”不存在。"), params={"code": text})
        return region


class PeriodField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("统计期"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("空为全年；Q1—Q4 为季度累计；M01—M12 为月度累计"))
        kwargs.setdefault("widget", forms.TextInput(attrs=CSS))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        try:
            return validate_period(super().clean(value) or "")
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def _year_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs=CSS), **kwargs)


class ValueForm(forms.Form):
    indicator = forms.ModelChoiceField(Indicator.objects.filter(kind=IndicatorKind.REPORTED, is_active=True),
                                       label=_("指标"), widget=forms.Select(attrs=SELECT))
    region = RegionCodeField()
    year = _year_field()
    period = PeriodField()
    value = forms.CharField(label=_("数值"), widget=forms.TextInput(attrs={**CSS, "inputmode": "decimal"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=300, widget=forms.TextInput(attrs=CSS))


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(Indicator.objects.filter(is_active=True), label=_("指标"),
                                       widget=forms.Select(attrs=SELECT))
    region = RegionCodeField()
    year = _year_field()
    value = forms.CharField(label=_("目标值"), widget=forms.TextInput(attrs={**CSS, "inputmode": "decimal"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=300, widget=forms.TextInput(attrs=CSS))


class TargetQueryForm(forms.Form):
    indicator = forms.ModelChoiceField(Indicator.objects.filter(is_active=True), label=_("指标"),
                                       widget=forms.Select(attrs=SELECT))
    region = RegionCodeField(required=False)
    year = _year_field(required=False)


class RedBlackForm(forms.Form):
    scheme = forms.ModelChoiceField(AssessmentScheme.objects.all(), label=_("考核办法"), required=False,
                                    widget=forms.Select(attrs=SELECT))
    indicator = forms.ModelChoiceField(Indicator.objects.filter(is_active=True), label=_("或单项指标"),
                                       required=False, widget=forms.Select(attrs=SELECT))
    region = RegionCodeField(required=False, help_text=_("按单项指标排名时必填：对其下级区域排名"))
    year = _year_field(required=False)
    as_of = forms.DateField(label=_("数据截至"), required=False, widget=forms.DateInput(attrs={**CSS, "type": "date"}))
    black_rule = forms.ChoiceField(label=_("黑榜规则"), choices=BlackRule.choices, initial=BlackRule.BOTTOM_N,
                                   required=False, widget=forms.Select(attrs=SELECT),
                                   help_text=_("按考核办法排名时使用考核办法自身的规则"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("scheme")) == bool(data.get("indicator")):
            raise forms.ValidationError(_("请选择一个考核办法，或一个单项指标（二者选一）。"))
        if data.get("indicator") and not data.get("region"):
            self.add_error("region", _("按单项指标排名须填写考核主体区划代码。"))
        if data.get("indicator") and not data.get("year"):
            self.add_error("year", _("按单项指标排名须填写年度。"))
        data["black_rule"] = data.get("black_rule") or BlackRule.BOTTOM_N
        as_of = data.get("as_of")
        if as_of and as_of > timezone.localdate():
            self.add_error("as_of", _("数据截至日期不能晚于今天。"))
        return data


class RoundForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200, widget=forms.TextInput(attrs=CSS))
    region = RegionCodeField(help_text=_("向其下级区域采集"))
    year = _year_field()
    period = PeriodField()
    indicators = forms.ModelMultipleChoiceField(
        Indicator.objects.filter(kind=IndicatorKind.REPORTED, is_active=True), label=_("采集指标"),
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 8}))
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={**CSS, "type": "date"}))

    def clean_deadline(self) -> date:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("截止日期不能早于今天。"))
        return deadline
