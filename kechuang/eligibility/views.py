"""资格预审 pages: enterprise self-check (企业自评) with what-if, and manual pre-review (门诊式预审) of typed facts.

All reads go through ``restrict()``: an enterprise user reaches only its own enterprise, an officer only the
enterprises of its region subtree (404 otherwise). Assessing changes nothing; saving is a separate action.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from kechuang.core.policy import ModelPolicy
from kechuang.eligibility.engine.programme import (
    BAD_INPUT,
    REGISTRY,
    Programme,
    UnknownProgramme,
    get_programme,
)
from kechuang.eligibility.forms import FactsForm, initial_from_facts
from kechuang.eligibility.models import SavedAssessment
from kechuang.enterprises.models import Enterprise


def qualification_programmes() -> list[Programme]:
    """The programmes an enterprise can qualify for (calculators such as 划型 are shown separately)."""
    return [p for p in REGISTRY.values() if p.kind == "qualification"]


def _programme_or_404(code: str) -> Programme:
    try:
        return get_programme(code)
    except UnknownProgramme:
        raise Http404("未知的评价项目。") from None


def _as_of(request: HttpRequest) -> datetime.date:
    today = datetime.date.today()
    try:
        chosen = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return today
    return min(chosen, today)


def _year(request: HttpRequest, as_of: datetime.date) -> int:
    """The data year: the last complete fiscal year before the assessment date unless one is chosen."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return as_of.year - 1
    return year if 2000 <= year <= as_of.year else as_of.year - 1


class EligibilityView(View):
    """Any role that may view business data may use the pre-review pages (rows are scoped per enterprise)."""

    @classmethod
    def get_url_policy(cls) -> ModelPolicy:
        return ModelPolicy(SavedAssessment, "view")

    def enterprise(self, pk: int) -> Enterprise:
        found = Enterprise.objects.restrict(self.request.user, "view").filter(pk=pk).first()
        if found is None:
            raise Http404("未找到该企业，或它不在您的管辖范围内。")
        return found


class SelfCheckIndexView(EligibilityView):
    """The entry page: an enterprise user goes to its own self-check; an officer searches an enterprise."""

    def get(self, request: HttpRequest) -> HttpResponse:
        scoped = Enterprise.objects.restrict(request.user, "view")
        query = request.GET.get("q", "").strip()
        if not query and scoped[:2].count() == 1:
            return redirect("eligibility:self_check", pk=scoped.get().pk)
        found = []
        if query:
            found = list(scoped.filter(uscc=query.upper())[:1]) or list(
                scoped.filter(name__icontains=query).order_by("name")[:20])
        return render(request, "eligibility/index.html", {
            "query": query, "found": found, "programmes": sorted(REGISTRY.values(), key=lambda p: p.code)})


class SelfCheckView(EligibilityView):
    """企业自评: every qualification programme assessed on the enterprise's registry facts."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise = self.enterprise(pk)
        from kechuang.eligibility.registry_facts import facts_for

        as_of = _as_of(request)
        year = _year(request, as_of)
        facts = facts_for(enterprise, year, as_of)
        results = []
        for programme in qualification_programmes():
            try:
                results.append(programme.assess(_declared(programme, facts), as_of))
            except BAD_INPUT as exc:
                results.append(_Unassessable(programme, str(exc)))
        return render(request, "eligibility/self_check.html", {
            "enterprise": enterprise, "results": results, "year": year, "as_of": as_of,
            "years": list(range(as_of.year - 1, as_of.year - 7, -1))})


class _Unassessable:
    """A programme that cannot be assessed on this date (e.g. its rules are not yet in force)."""

    def __init__(self, programme: Programme, reason: str) -> None:
        self.programme, self.label, self.reason, self.eligible = programme.code, programme.label, reason, None
        self.unassessable = True


def _declared(programme: Programme, facts: dict[str, Any]) -> dict[str, Any]:
    names = programme.fact_map
    return {name: value for name, value in facts.items() if name in names}


class WhatIfView(EligibilityView):
    """What-if (假设测算): the registry's facts in a form; change any figure and see the result change."""

    def get(self, request: HttpRequest, pk: int, programme: str) -> HttpResponse:
        from kechuang.eligibility.registry_facts import facts_for

        enterprise = self.enterprise(pk)
        rules = _programme_or_404(programme)
        as_of = _as_of(request)
        year = _year(request, as_of)
        registry = _declared(rules, facts_for(enterprise, year, as_of))
        baseline = _assess_or_error(rules, registry, as_of)
        if "whatif" in request.GET:
            form = FactsForm(request.GET, programme=rules, year=year)
            changed = _assess_or_error(rules, form.facts(), as_of) if form.is_valid() else (None, None)
        else:
            form = FactsForm(initial=initial_from_facts(rules, registry), programme=rules, year=year)
            changed = (None, None)
        return render(request, "eligibility/what_if.html", {
            "enterprise": enterprise, "programme": rules, "form": form, "year": year, "as_of": as_of,
            "baseline": baseline[0], "baseline_error": baseline[1], "result": changed[0], "error": changed[1],
            "can_save": True})

    def post(self, request: HttpRequest, pk: int, programme: str) -> HttpResponse:
        """Save the assessment of the submitted facts (an audited record, replayable from its facts)."""
        from kechuang.eligibility.services import save_assessment

        enterprise = self.enterprise(pk)
        rules = _programme_or_404(programme)
        as_of = _as_of(request)
        form = FactsForm(request.POST, programme=rules, year=_year(request, as_of))
        if form.is_valid():
            try:
                result = rules.assess(form.facts(), as_of)
            except BAD_INPUT as exc:
                messages.error(request, f"未保存：{exc}")
            else:
                save_assessment(result, enterprise=enterprise, actor=request.user)
                messages.success(request, f"已保存评估：{result.label}（{result.verdict_text}）。")
        else:
            messages.error(request, "未保存：表单中有无效的数值。")
        return redirect(reverse("eligibility:self_check", kwargs={"pk": enterprise.pk}))


class ManualAssessView(EligibilityView):
    """门诊式预审: type an enterprise's figures (not necessarily in the registry) and assess them."""

    def get(self, request: HttpRequest, programme: str) -> HttpResponse:
        rules = _programme_or_404(programme)
        as_of = _as_of(request)
        form = FactsForm(request.GET or None, programme=rules, year=_year(request, as_of))
        result, error = (None, None)
        if form.is_bound and form.is_valid():
            result, error = _assess_or_error(rules, form.facts(), as_of)
        return render(request, "eligibility/manual.html", {
            "programme": rules, "form": form, "result": result, "error": error, "as_of": as_of,
            "programmes": sorted(REGISTRY.values(), key=lambda p: p.code)})


def _assess_or_error(programme: Programme, facts: dict[str, Any], as_of: datetime.date) -> tuple[Any, str | None]:
    try:
        return programme.assess(facts, as_of), None
    except BAD_INPUT as exc:
        return None, str(exc)
