"""Forms of the enterprise registry: explicit fields only (SECURITY.md C5).

The pages' annual-data, IP and qualification forms name their enterprise by its 统一社会信用代码 (a text input
resolved within the user's scope, `EnterpriseCodeField`): a <select> of every enterprise in a city's scope would
hold tens of thousands of options. The API keeps the base forms, which take the enterprise's id.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.uscc import normalize_uscc, validate_uscc
from kechuang.enterprises.models import Enterprise, EnterpriseYear, IntellectualProperty, Qualification

ANNUAL_FIELDS = (
    "enterprise", "year", "employees", "tech_staff", "rd_staff", "sales_revenue", "main_revenue", "total_income",
    "hightech_income", "rd_expense", "rd_expense_domestic", "rd_expense_commissioned", "total_cost",
    "total_assets", "liabilities", "net_assets", "profit", "tax_paid", "exports", "ip_class1", "ip_class2",
    "results_converted", "standards_led",
)


class EnterpriseCodeField(forms.ModelChoiceField):
    """An enterprise typed as its 统一社会信用代码 and looked up in `queryset`, which the view narrows to the
    user's scope (`fit_form_to_user`; nothing until then).

    A well-formed code that matches no enterprise of the queryset gets one message, whether the enterprise does
    not exist or lies outside the scope, so the form cannot be used to probe the register. A malformed code is
    told what is wrong with it (that says nothing about the register).
    """

    widget = forms.TextInput
    default_error_messages = {
        "invalid_choice": _("在您的管辖范围内没有统一社会信用代码为 %(value)s 的企业。"),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Enterprise.objects.none())
        kwargs.setdefault("to_field_name", "uscc")
        kwargs.setdefault("label", _("企业（统一社会信用代码）"))
        kwargs.setdefault("help_text", _("填写企业的 18 位统一社会信用代码"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"maxlength": "18", "autocomplete": "off", "spellcheck": "false",
                                  "placeholder": _("如 91320102MA1XXXXXXX")})

    def to_python(self, value: Any) -> Enterprise | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Enterprise):
            value = value.uscc
        code = normalize_uscc(value)
        validate_uscc(code)
        return super().to_python(code)

    def prepare_value(self, value: Any) -> Any:
        """Show an enterprise (or its id, as a ModelForm's initial data holds it) as its credit code, and only
        when it lies in `queryset`: an id from the query string must not reveal an out-of-scope code."""
        if isinstance(value, Enterprise):
            return value.uscc
        if isinstance(value, int):
            return self.queryset.filter(pk=value).values_list("uscc", flat=True).first() or ""
        return super().prepare_value(value)


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ("uscc", "name", "region", "park", "registered_on", "registered_capital", "ownership",
                  "industry_code", "hightech_field", "listing_status", "address", "contact_name", "contact_phone")
        widgets = {"registered_on": forms.DateInput(attrs={"type": "date"})}


class EnterpriseYearForm(forms.ModelForm):
    class Meta:
        model = EnterpriseYear
        fields = ANNUAL_FIELDS


class IntellectualPropertyForm(forms.ModelForm):
    class Meta:
        model = IntellectualProperty
        fields = ("enterprise", "ip_type", "number", "title", "applied_on", "granted_on", "status")


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ("enterprise", "kind", "number", "granted_on", "valid_from", "valid_to", "batch", "status",
                  "status_changed_on", "status_reason")


# --- the pages' forms: the enterprise by its credit code ---------------------------------------------------
class EnterpriseYearPageForm(EnterpriseYearForm):
    enterprise = EnterpriseCodeField()


class IntellectualPropertyPageForm(IntellectualPropertyForm):
    enterprise = EnterpriseCodeField()


class QualificationPageForm(QualificationForm):
    enterprise = EnterpriseCodeField()
