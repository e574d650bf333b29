"""Admin pages of local programmes (地方培育项目): list, new dated version, detail with a trial assessment.

Declarations on the generic views (kechuang/core/views.py): officers only (``OfficerOnlyMixin``, so an enterprise
user is refused), rows restricted to the officer's region subtree (404 outside), every write through the model
(change-logged). Versions are never edited in place — a change of rules is a new version with a later date —
so there is no edit or delete page; "新增版本" on a detail page starts from that version.
"""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from kechuang.core import views as generic
from kechuang.core.filtersets import BaseFilterSet
from kechuang.core.tables import BaseTable
from kechuang.eligibility.engine.conditions import library
from kechuang.eligibility.engine.local import LocalVersion, parse_body
from kechuang.eligibility.engine.programme import BAD_INPUT, assess, get_programme
from kechuang.eligibility.forms_local import LocalProgrammeVersionForm, LocalTryForm
from kechuang.eligibility.models import LocalProgrammeVersion
from kechuang.enterprises.views import OfficerOnlyMixin, fit_form_to_user


def detail_url(version: LocalProgrammeVersion) -> str:
    return reverse("eligibility:localprogrammeversion_detail", args=[version.pk])


class LocalProgrammeVersionFilterSet(BaseFilterSet):
    search_fields = ("code", "label", "source")

    class Meta:
        model = LocalProgrammeVersion
        fields = ("q",)


class LocalProgrammeVersionTable(BaseTable):
    code = tables.Column(linkify=lambda record: detail_url(record))
    effective_from = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = LocalProgrammeVersion
        fields = ("code", "label", "effective_from", "region", "source")


class LocalProgrammeVersionListView(OfficerOnlyMixin, generic.ObjectListView):
    model = LocalProgrammeVersion
    filterset_class = LocalProgrammeVersionFilterSet
    table_class = LocalProgrammeVersionTable
    template_name = "eligibility/local_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "library": library()}


class LocalProgrammeVersionCreateView(OfficerOnlyMixin, generic.ObjectCreateView):
    """New version; the "试算" button assesses the trial facts with this definition and saves nothing."""

    model = LocalProgrammeVersion
    form_class = LocalProgrammeVersionForm
    template_name = "eligibility/local_edit.html"

    def get_form(self, form_class: Any = None) -> forms.BaseForm:
        return fit_form_to_user(super().get_form(form_class), self.request.user)

    def get_initial(self) -> dict[str, Any]:
        """Start from the version ``?from=<id>`` (in the officer's scope): same code, region and conditions."""
        initial = super().get_initial()
        base = self.request.GET.get("from", "")
        found = self.get_queryset().filter(pk=base).first() if base.isdigit() else None
        if found is not None:
            initial.update({name: getattr(found, name) for name in ("code", "label", "source", "definition")})
            initial["region"] = found.region_id
        return initial

    def form_valid(self, form: Any) -> HttpResponse:
        if "try" in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form, trial=self._trial(form)))
        return super().form_valid(form)

    def _trial(self, form: LocalProgrammeVersionForm) -> dict[str, Any]:
        programme = form.definition_result.programme()  # type: ignore[union-attr]
        try:
            return {"result": programme.assess(form.cleaned_data["try_facts"], form.trial_as_of())}
        except BAD_INPUT as exc:
            return {"error": str(exc)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "library": library()}

    def get_success_url(self) -> str:
        return detail_url(self.object)


class LocalProgrammeVersionDetailView(OfficerOnlyMixin, generic.ObjectDetailView):
    """One version: its conditions as an outline, the code's other versions, and a trial assessment (POST)."""

    model = LocalProgrammeVersion
    template_name = "eligibility/local_detail.html"
    detail_fields = ("code", "label", "effective_from", "source", "region")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = LocalTryForm(request.POST)
        trial: dict[str, Any] = {}
        if form.is_valid():
            try:
                trial = {"result": assess(form.cleaned_data["facts"], self.object.code, form.cleaned_data["as_of"])}
            except BAD_INPUT as exc:
                trial = {"error": str(exc)}
        return self.render_to_response(self.get_context_data(object=self.object, try_form=form, trial=trial))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = self.object
        context.update(self._definition(version))
        context.setdefault("try_form", LocalTryForm(initial={"as_of": version.effective_from, "facts": "{}"}))
        context["versions"] = self.get_queryset().filter(code=version.code).order_by("effective_from")
        context["new_version_url"] = reverse("eligibility:localprogrammeversion_add") + f"?from={version.pk}"
        return context

    @staticmethod
    def _definition(version: LocalProgrammeVersion) -> dict[str, Any]:
        """Return the parsed outline and the programme's facts, or the problems of an invalid stored text."""
        try:
            parsed: LocalVersion = parse_body(version.definition, start=version.effective_from,
                                              source=version.source, label=version.label)[0]
            programme = get_programme(version.code)
        except BAD_INPUT as exc:  # a stored text that no longer parses (DefinitionError is a ParameterError)
            return {"problems": getattr(exc, "problems", [str(exc)])}
        return {"outline": parsed.outline(), "programme_facts": programme.facts}
