"""Forms of the enterprise registry: explicit fields only (SECURITY.md C5)."""

from django import forms

from kechuang.enterprises.models import Enterprise, EnterpriseYear, IntellectualProperty, Qualification

ANNUAL_FIELDS = (
    "enterprise", "year", "employees", "tech_staff", "rd_staff", "sales_revenue", "main_revenue", "total_income",
    "hightech_income", "rd_expense", "rd_expense_domestic", "rd_expense_commissioned", "total_cost",
    "total_assets", "liabilities", "net_assets", "profit", "tax_paid", "exports", "ip_class1", "ip_class2",
    "results_converted", "standards_led",
)


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
