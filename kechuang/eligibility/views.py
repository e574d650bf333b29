"""资格预审 pages: enterprise self-check (企业自评) with what-if, and manual pre-review (门诊式预审) of typed facts.

All reads go through ``restrict()``: an enterprise user reaches only its own enterprise, an officer only the
enterprises of its region subtree (404 otherwise). Assessing changes nothing; saving is a separate action.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from kechuang.audit.changelog import record_event
from kechuang.core.export import XLSX_CONTENT_TYPE
from kechuang.core.policy import AUTHENTICATED, ModelPolicy, policy
from kechuang.eligibility.engine.programme import (
    BAD_INPUT,
    REGISTRY,
    Programme,
    UnknownProgramme,
    get_programme,
)
from kechuang.eligibility.exports import screening_workbook
from kechuang.eligibility.forms import FactsForm, ScreeningForm, initial_from_facts
from kechuang.eligibility.models import SavedAssessment, ScreeningCategory, ScreeningEntry, ScreeningRun
from kechuang.eligibility.registry_facts import facts_for
from kechuang.eligibility.screening import CATEGORY_ORDER, RunWording, ScreeningError
from kechuang.eligibility.services import run_screening, save_assessment
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
    """The registry facts the programme declares, with its self-declarations (诚信、查账征收…) taken as made.

    The registry cannot hold declarations; like screening, the self-check assumes them and says so on the page
    (the what-if form shows them, so a "否" can be tried).
    """
    names = programme.fact_map
    declared = {name: value for name, value in facts.items() if name in names and value is not None}
    for fact in programme.facts:
        if fact.declaration and fact.name not in declared:
            declared[fact.name] = True
    return declared


class WhatIfView(EligibilityView):
    """What-if (假设测算): the registry's facts in a form; change any figure and see the result change."""

    def get(self, request: HttpRequest, pk: int, programme: str) -> HttpResponse:
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
            "can_save": True, "open_checks": True})

    def post(self, request: HttpRequest, pk: int, programme: str) -> HttpResponse:
        """Save the assessment of the submitted facts (an audited record, replayable from its facts)."""
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
            "programmes": sorted(REGISTRY.values(), key=lambda p: p.code), "open_checks": True})


def _assess_or_error(programme: Programme, facts: dict[str, Any], as_of: datetime.date) -> tuple[Any, str | None]:
    try:
        return programme.assess(facts, as_of), None
    except BAD_INPUT as exc:
        return None, str(exc)


# --- batch screening (批量筛选) -------------------------------------------------------------------------------------


class ScreeningPolicyMixin:
    """Screening is an officer's tool: roles scoped to a region (enterprise users do not screen)."""

    action = "view"

    @classmethod
    def get_url_policy(cls) -> ModelPolicy:
        from kechuang.enterprises.views import OfficerPolicy

        return OfficerPolicy(ScreeningRun, cls.action)


class ScreeningListView(ScreeningPolicyMixin, View):
    """The runs in the officer's scope, newest first, and the form to start one."""

    def get(self, request: HttpRequest) -> HttpResponse:
        runs = ScreeningRun.objects.restrict(request.user, "view").select_related("region", "actor")[:50]
        return render(request, "eligibility/screening_list.html", {
            "runs": runs, "form": ScreeningForm(user=request.user), "can_run": _can_run(request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _can_run(request.user):
            raise PermissionDenied("您的角色无权发起批量筛选。")
        form = ScreeningForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = run_screening(data["programme"], region=data["region"], year=data["year"],
                                    as_of=data["as_of"], actor=request.user)
            except (ScreeningError, *BAD_INPUT) as exc:
                form.add_error(None, str(getattr(exc, "message", exc)))
            else:
                messages.success(request, f"筛选完成：共 {run.enterprise_count} 家企业。")
                return redirect("eligibility:screening_detail", pk=run.pk)
        runs = ScreeningRun.objects.restrict(request.user, "view").select_related("region", "actor")[:50]
        return render(request, "eligibility/screening_list.html",
                      {"runs": runs, "form": form, "can_run": True}, status=422)


def _can_run(user: Any) -> bool:
    from kechuang.enterprises.views import officer_can

    return officer_can(user, ScreeningRun, "add")


class ScreeningDetailView(ScreeningPolicyMixin, View):
    """One run: counts per category and the ranked entries of the chosen category (50 per page)."""

    page_size = 50

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.run(pk)
        category = request.GET.get("category") or "candidate"
        if category not in CATEGORY_ORDER:
            category = "candidate"
        entries = (ScreeningEntry.objects.restrict(request.user, "view").filter(run=run, category=category)
                   .select_related("enterprise").order_by("rank", "id"))
        page = Paginator(entries, self.page_size).get_page(request.GET.get("page"))
        wording = RunWording(run)
        for entry in page:  # the texts of the page's entries, worded from their facts (decision 0011)
            entry.summary = wording.lines(entry.category, entry.summary, entry.facts)
        labels = dict(ScreeningCategory.choices)
        tabs = [(c, labels[c], run.counts.get(c, 0)) for c in CATEGORY_ORDER]
        return render(request, "eligibility/screening_detail.html", {
            "run": run, "programme_label": _programme_label(run.programme), "category": category, "tabs": tabs,
            "page": page, "stored": category in {"candidate", "reserve", "at_risk", "undetermined"}})

    def run(self, pk: int) -> ScreeningRun:
        found = ScreeningRun.objects.restrict(self.request.user, "view").select_related("region").filter(pk=pk).first()
        if found is None:
            raise Http404("未找到该筛选批次，或它不在您的管辖范围内。")
        return found


class ScreeningExportView(ScreeningDetailView):
    """The run as .xlsx (audited with its row count): at once for a run of up to ``SYNC_EXPORT_MAX_ROWS`` entries,
    else built by a background task (``tasks.export_screening_run``) while the page polls its status."""

    action = "export"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.run(pk)
        rows = _entry_count(run)
        if rows > SYNC_EXPORT_MAX_ROWS:
            return render(request, "eligibility/screening_export.html", {"run": run, "rows": rows,
                                                                         "programme_label": _programme_label(run.programme)})
        content, count = screening_workbook(run)
        record_event("export", obj=run, message=f"导出筛选结果（{run.programme} {run.year}）",
                     data={"model": "eligibility.screeningrun", "run": run.pk, "rows": count,
                           "rules_version": run.rules_version})
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{_export_filename(run)}"'
        return response

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Start the background export of a large run (nothing is written but the file and its audit event)."""
        import uuid

        from kechuang.eligibility.tasks import export_screening_run

        run = self.run(pk)
        token = uuid.uuid4().hex
        task = export_screening_run.enqueue(run.pk, request.user.pk, token)
        exports = request.session.get(SESSION_EXPORTS, {})
        exports[task.id] = {"token": token, "run": run.pk}
        request.session[SESSION_EXPORTS] = dict(list(exports.items())[-20:])
        return render(request, "eligibility/screening_export.html", {
            "run": run, "rows": _entry_count(run), "task": task, "programme_label": _programme_label(run.programme)})


SYNC_EXPORT_MAX_ROWS = 20_000  # ≈ 5 s of wording at ≈ 0.25 ms an entry; larger runs export in the background
SESSION_EXPORTS = "kc_screening_exports"  # task id → {token, run} of the exports this session started


def _entry_count(run: ScreeningRun) -> int:
    from kechuang.eligibility.screening import KEPT

    return sum(int(run.counts.get(category, 0)) for category in KEPT)


def _export_filename(run: ScreeningRun) -> str:
    return f"screening-{run.programme}-{run.year}-{run.pk}.xlsx"


@policy(AUTHENTICATED)
def screening_export_status(request: HttpRequest, task_id: str) -> HttpResponse:
    """The status of a background export this session started (polled by the page through htmx)."""
    from kechuang.eligibility.tasks import export_screening_run

    started = request.session.get(SESSION_EXPORTS, {}).get(task_id)
    if started is None:
        raise PermissionDenied("无权查看该导出任务。")
    return render(request, "eligibility/_export_status.html", {"task": export_screening_run.get_result(task_id)})


@policy(AUTHENTICATED)
def screening_export_file(request: HttpRequest, task_id: str) -> HttpResponse:
    """Download the file of a background export this session started (404 for anyone else's)."""
    from django.http import FileResponse

    from kechuang.eligibility.tasks import export_path

    started = request.session.get(SESSION_EXPORTS, {}).get(task_id)
    if started is None:
        raise Http404("未找到该导出文件。")
    path = export_path(started["token"])
    run = ScreeningRun.objects.restrict(request.user, "view").filter(pk=started["run"]).first()
    if run is None or not path.exists():
        raise Http404("导出文件已过期或不在您的管辖范围内，请重新导出。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=_export_filename(run),
                        content_type=XLSX_CONTENT_TYPE)


def _programme_label(code: str) -> str:
    try:
        return get_programme(code).label
    except UnknownProgramme:
        return code
