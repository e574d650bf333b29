"""Pages of the enterprise registry (企业库): declarations on the generic views, plus the enterprise profile
(企业画像) and the list of 高企 due for re-recognition.

Two rules beyond the generic ones:
- forms offer only the enterprises and regions in the user's scope (`fit_form_to_user`): a region select, and an
  enterprise typed as its credit code and resolved within the scope;
- registering an enterprise and recording qualifications are officers' work (`OfficerPolicy`): an enterprise
  user, whose role may add and change business data of its own enterprise, submits annual figures and IP
  but cannot grant itself a rung of the ladder (资质由主管部门认定).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core import views as generic
from kechuang.core.imports.views import ImportView
from kechuang.core.masking import mask_name, mask_phone
from kechuang.core.permissions import assignments_of, can, grants_action
from kechuang.core.policy import ModelPolicy
from kechuang.enterprises import imports
from kechuang.enterprises.filtersets import (
    EnterpriseFilterSet,
    EnterpriseYearFilterSet,
    IntellectualPropertyFilterSet,
    QualificationFilterSet,
    QualificationKindFilterSet,
    RerecognitionDueFilterSet,
    rerecognition_due,
)
from kechuang.enterprises.forms import (
    EnterpriseForm,
    EnterpriseYearPageForm,
    IntellectualPropertyPageForm,
    QualificationPageForm,
)
from kechuang.enterprises.models import (
    Enterprise,
    EnterpriseYear,
    IntellectualProperty,
    Qualification,
    QualificationKind,
)
from kechuang.enterprises.querysets import INACTIVE
from kechuang.enterprises.tables import (
    EnterpriseTable,
    EnterpriseYearTable,
    IntellectualPropertyTable,
    QualificationKindTable,
    QualificationTable,
    RerecognitionDueTable,
    industry_label,
    rd_ratio_percent,
)
from kechuang.regions.models import Region

LIST_TEMPLATE = "enterprises/object_list.html"
DETAIL_TEMPLATE = "enterprises/object_detail.html"
# Registry identity an enterprise user cannot change on its own: it comes from the registration authority.
IDENTITY_FIELDS = ("uscc", "region", "park")


# --- who may do what ------------------------------------------------------------------------------------
def officer_can(user: Any, model: type, action: str) -> bool:
    """Return whether a role scoped to a region (or global) grants `action` on `model`; enterprise-scoped
    roles do not count."""
    return any(a.scope_kind != "enterprise" and grants_action(a, model, action) for a in assignments_of(user))


class OfficerPolicy(ModelPolicy):
    """A ModelPolicy only roles scoped to a region (or global) satisfy."""

    def allows(self, user: Any) -> bool:
        return officer_can(user, self.model, self.action)


class OfficerOnlyMixin:
    """The view is an officer's: its URL policy is an OfficerPolicy."""

    @classmethod
    def get_url_policy(cls) -> ModelPolicy:
        return OfficerPolicy(cls.model, cls.action)  # type: ignore[attr-defined]


class OfficerButtonsMixin:
    """Hide the buttons of `officer_actions` from users only an enterprise-scoped role gives them to."""

    officer_actions: tuple[str, ...] = ()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        for action in self.officer_actions:
            context[f"can_{action}"] = context[f"can_{action}"] and officer_can(
                self.request.user, self.model, action)  # type: ignore[attr-defined]
        return context


# --- forms fitted to the user -----------------------------------------------------------------------------
def fit_form_to_user(form: forms.BaseForm, user: Any) -> forms.BaseForm:
    """Narrow the enterprise and region fields of `form` to the user's scope, and lock the registry identity
    of an enterprise for users who have no region to choose from (enterprise users); style the widgets."""
    regions = Region.objects.restrict(user, "view")
    lock_identity = not regions.exists()
    for name, field in form.fields.items():
        model = getattr(getattr(field, "queryset", None), "model", None)
        if model is Enterprise:
            field.queryset = Enterprise.objects.restrict(user, "view")
        elif model is Region and not lock_identity:
            field.queryset = regions.exclude(kind="administrative") if name == "park" else regions
        if lock_identity and name in IDENTITY_FIELDS and isinstance(getattr(form, "instance", None), Enterprise):
            field.disabled = True
        if isinstance(field.widget, forms.DateInput):  # a date picker; it takes only ISO values
            field.widget.input_type, field.widget.format = "date", "%Y-%m-%d"
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if not isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", css)
    return form


def annual_source(user: Any) -> str:
    """Return the `source` recorded on annual figures entered by hand: `user:<username>`."""
    return f"user:{getattr(user, 'username', '') or 'system'}"


class ScopedFormMixin:
    """Fit the form to the user; after saving a row of an enterprise, go back to its profile."""

    def get_form(self, form_class: Any = None) -> forms.BaseForm:
        return fit_form_to_user(super().get_form(form_class), self.request.user)  # type: ignore[misc]

    def get_success_url(self) -> str:
        enterprise = getattr(self.object, "enterprise", None)  # type: ignore[attr-defined]
        if enterprise is not None:
            return enterprise.get_absolute_url()
        return super().get_success_url()  # type: ignore[misc]


class EnterpriseRowCreateMixin(ScopedFormMixin):
    """A new row of an enterprise: `?enterprise=<id>` (or the only enterprise in scope) is preselected."""

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()  # type: ignore[misc]
        chosen = self.request.GET.get("enterprise", "")  # type: ignore[attr-defined]
        if chosen.isdigit():
            initial["enterprise"] = int(chosen)
        else:
            own = list(Enterprise.objects.restrict(self.request.user, "view").values_list("pk", flat=True)[:2])
            if len(own) == 1:
                initial["enterprise"] = own[0]
        return initial


class AnnualSourceMixin:
    """Record who entered the figures (`source`), so every figure can be traced."""

    def form_valid(self, form: Any) -> HttpResponse:
        form.instance.source = annual_source(self.request.user)  # type: ignore[attr-defined]
        return super().form_valid(form)  # type: ignore[misc]


# --- enterprises ----------------------------------------------------------------------------------------
class EnterpriseListView(OfficerButtonsMixin, generic.ObjectListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    table_class = EnterpriseTable
    template_name = LIST_TEMPLATE
    officer_actions = ("add",)


class EnterpriseExportView(generic.ObjectExportView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    table_class = EnterpriseTable


class EnterpriseCreateView(OfficerOnlyMixin, ScopedFormMixin, generic.ObjectCreateView):
    model = Enterprise
    form_class = EnterpriseForm


class EnterpriseEditView(ScopedFormMixin, generic.ObjectEditView):
    model = Enterprise
    form_class = EnterpriseForm


@dataclass(frozen=True)
class LadderStep:
    """One qualification on the profile's timeline, with its standing on the profile's date."""

    qualification: Qualification
    standing: str
    css: str


def standing_of(qualification: Qualification, on: date) -> tuple[str, str]:
    """Return the Chinese standing of a qualification on `on` and its badge colour."""
    q = qualification
    if q.status in INACTIVE and (q.status_changed_on is None or q.status_changed_on <= on):
        return str(q.get_status_display()), "danger"
    if q.valid_from > on:
        return "未生效", "info"
    if q.valid_to is not None and q.valid_to < on:
        return "已过期", "secondary"
    return "有效", "success"


# The rows of the profile's annual table, in order; "rd_ratio" is computed.
PROFILE_FIGURES = ("sales_revenue", "rd_expense", "rd_ratio", "employees", "tech_staff", "hightech_income",
                   "ip_class1", "ip_class2")
TREND_SERIES = (("sales_revenue", _("销售收入")), ("rd_expense", _("研发费用")))


def annual_rows(years: list[EnterpriseYear]) -> list[tuple[Any, list[Any]]]:
    """Return (label, value per year) for each profile figure."""
    rows = []
    for name in PROFILE_FIGURES:
        if name == "rd_ratio":
            rows.append((_("研发费用占销售收入比例（%）"),
                         [rd_ratio_percent(y.rd_expense, y.sales_revenue) for y in years]))
        else:
            rows.append((EnterpriseYear._meta.get_field(name).verbose_name, [getattr(y, name) for y in years]))
    return rows


def trend_chart(years: list[EnterpriseYear]) -> dict[str, Any]:
    """Return the trend chart's data (万元 per year) for charts.js: revenue on the left axis, R&D expense (an
    order of magnitude smaller) on the right one. Floats are fine for drawing."""
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return {"labels": [str(y.year) for y in years],
            "axes": [f"{label}（万元）" for _name, label in TREND_SERIES],
            "series": [{"name": str(label), "axis": axis, "data": [number(getattr(y, name)) for y in years]}
                       for axis, (name, label) in enumerate(TREND_SERIES)]}


class EnterpriseDetailView(generic.ObjectDetailView):
    """企业画像: identity, ladder timeline, annual figures with trend chart, IP and change history."""

    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"
    detail_fields = ("uscc", "former_names", "region", "park", "registered_on", "registered_capital", "ownership",
                     "industry_code", "hightech_field", "listing_status", "address", "contact_name",
                     "contact_phone", "tags")
    ip_shown = 50

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("region", "park")

    @staticmethod
    def _display(obj: Any, name: str) -> Any:
        value = getattr(obj, name)
        if name == "contact_phone":
            return mask_phone(value)
        if name == "contact_name":
            return mask_name(value)
        if name == "industry_code":
            return industry_label(value)
        if name in ("former_names", "tags"):
            return "、".join(str(v) for v in value or ()) or None
        if name in ("region", "park") and value is not None:
            return " ".join(r.name for r in [*value.ancestors()[1:], value])  # 南京市 玄武区 梅园新村街道
        if isinstance(value, date):
            return value.isoformat()
        return generic.ObjectDetailView._display(obj, name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        enterprise, today, user = self.object, timezone.localdate(), self.request.user
        qualifications = enterprise.qualifications.select_related("kind").order_by("granted_on", "kind__rung")
        ladder = [LadderStep(q, *standing_of(q, today)) for q in qualifications]
        years = list(enterprise.years.order_by("year"))
        held = {step.qualification.kind_id: step.qualification.kind for step in ladder if step.css == "success"}
        context.update({
            "today": today,
            "ladder": ladder,
            "held_kinds": sorted(held.values(), key=lambda k: k.rung),
            "years": years,
            "annual_rows": annual_rows(years),
            "trend_chart": trend_chart(years),
            "ip_rights": enterprise.ip_rights.order_by("-granted_on", "number")[: self.ip_shown],
            "ip_count": enterprise.ip_rights.count(),
            "can_add_year": can(user, EnterpriseYear, "add"),
            "can_add_ip": can(user, IntellectualProperty, "add"),
            "can_add_qualification": officer_can(user, Qualification, "add"),
        })
        return context


# --- annual figures ---------------------------------------------------------------------------------------
class EnterpriseYearListView(generic.ObjectListView):
    model = EnterpriseYear
    filterset_class = EnterpriseYearFilterSet
    table_class = EnterpriseYearTable
    template_name = LIST_TEMPLATE


class EnterpriseYearExportView(generic.ObjectExportView):
    model = EnterpriseYear
    filterset_class = EnterpriseYearFilterSet
    table_class = EnterpriseYearTable


class EnterpriseYearDetailView(generic.ObjectDetailView):
    model = EnterpriseYear
    template_name = DETAIL_TEMPLATE


class EnterpriseYearCreateView(AnnualSourceMixin, EnterpriseRowCreateMixin, generic.ObjectCreateView):
    model = EnterpriseYear
    form_class = EnterpriseYearPageForm

    def get_initial(self) -> dict[str, Any]:
        return {"year": timezone.localdate().year - 1, **super().get_initial()}


class EnterpriseYearEditView(AnnualSourceMixin, ScopedFormMixin, generic.ObjectEditView):
    model = EnterpriseYear
    form_class = EnterpriseYearPageForm


# --- intellectual property --------------------------------------------------------------------------------
class IntellectualPropertyListView(generic.ObjectListView):
    model = IntellectualProperty
    filterset_class = IntellectualPropertyFilterSet
    table_class = IntellectualPropertyTable
    template_name = LIST_TEMPLATE


class IntellectualPropertyExportView(generic.ObjectExportView):
    model = IntellectualProperty
    filterset_class = IntellectualPropertyFilterSet
    table_class = IntellectualPropertyTable


class IntellectualPropertyDetailView(generic.ObjectDetailView):
    model = IntellectualProperty
    template_name = DETAIL_TEMPLATE


class IntellectualPropertyCreateView(EnterpriseRowCreateMixin, generic.ObjectCreateView):
    model = IntellectualProperty
    form_class = IntellectualPropertyPageForm


class IntellectualPropertyEditView(ScopedFormMixin, generic.ObjectEditView):
    model = IntellectualProperty
    form_class = IntellectualPropertyPageForm


# --- qualifications (the ladder) ----------------------------------------------------------------------------
class QualificationListView(OfficerButtonsMixin, generic.ObjectListView):
    model = Qualification
    filterset_class = QualificationFilterSet
    table_class = QualificationTable
    template_name = LIST_TEMPLATE
    officer_actions = ("add", "change")


class QualificationExportView(generic.ObjectExportView):
    model = Qualification
    filterset_class = QualificationFilterSet
    table_class = QualificationTable


class QualificationDetailView(OfficerButtonsMixin, generic.ObjectDetailView):
    model = Qualification
    template_name = DETAIL_TEMPLATE
    officer_actions = ("add", "change")


class QualificationCreateView(OfficerOnlyMixin, EnterpriseRowCreateMixin, generic.ObjectCreateView):
    model = Qualification
    form_class = QualificationPageForm


class QualificationEditView(OfficerOnlyMixin, ScopedFormMixin, generic.ObjectEditView):
    model = Qualification
    form_class = QualificationPageForm


class QualificationKindListView(generic.ObjectListView):
    """资质类型: a dictionary every role that may read reference data sees whole (it has no scope)."""

    model = QualificationKind
    filterset_class = QualificationKindFilterSet
    table_class = QualificationKindTable
    template_name = LIST_TEMPLATE

    def get_queryset(self) -> Any:
        return QualificationKind.objects.all()


# --- 高企 due for re-recognition --------------------------------------------------------------------------
class RerecognitionDueMixin:
    """高企 certificates ending this or next calendar year and not yet renewed, in the user's scope."""

    model = Qualification
    filterset_class = RerecognitionDueFilterSet
    table_class = RerecognitionDueTable

    def get_queryset(self) -> Any:
        return rerecognition_due(super().get_queryset(), as_of=timezone.localdate())  # type: ignore[misc]


class RerecognitionDueListView(RerecognitionDueMixin, generic.ObjectListView):
    template_name = LIST_TEMPLATE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        context.update({
            "model_name_plural": _("高企重新认定提醒"),
            "page_note": _("高新技术企业证书有效期三年。以下企业的证书将于 %(this)s 年或 %(next)s 年到期"
                           "（含今年已到期），且尚无新的高企证书，需组织重新认定申报。") % {"this": year, "next": year + 1},
            "export_url": reverse("enterprises:rerecognition_due_export"),
            "can_add": False,
        })
        return context


class RerecognitionDueExportView(RerecognitionDueMixin, generic.ObjectExportView):
    pass


# --- imports (企业库导入) ------------------------------------------------------------------------------------


class EnterpriseImportView(ImportView):
    schema = imports.EnterpriseImportSchema
    model = Enterprise


class EnterpriseYearImportView(ImportView):
    schema = imports.AnnualImportSchema
    model = EnterpriseYear


class IntellectualPropertyImportView(ImportView):
    schema = imports.IPImportSchema
    model = IntellectualProperty


class QualificationImportView(ImportView):
    schema = imports.QualificationImportSchema
    model = Qualification


class HnteListImportView(ImportView):
    schema = imports.HnteListImportSchema
    model = Qualification
