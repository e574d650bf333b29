from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.indicators.forms import CSS, RegionCodeField


class ReportQueryForm(forms.Form):
    region = RegionCodeField()
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=CSS))
    as_of = forms.DateField(label=_("数据截至"), required=False, widget=forms.DateInput(attrs={**CSS, "type": "date"}),
                            help_text=_("默认为该年 12 月 31 日（不晚于今天）"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year, as_of = data.get("year"), data.get("as_of")
        today = timezone.localdate()
        if as_of and as_of > today:
            self.add_error("as_of", _("数据截至日期不能晚于今天。"))
        elif year and not as_of:
            data["as_of"] = min(today, date(year, 12, 31))
        return data
