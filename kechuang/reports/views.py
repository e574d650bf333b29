"""Pages of the reports module: build and preview the annual summary, save and edit versions, download the .docx
and the statistical workbook, and a bureau's sentence templates. Thin: the builder and services do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.export import XLSX_CONTENT_TYPE
from kechuang.core.permissions import can, region_in_scope
from kechuang.core.policy import ModelPolicy, policy
from kechuang.regions.models import Region
from kechuang.reports import services
from kechuang.reports.builder import ReportError, build_annual_report
from kechuang.reports.content import Chart, Paragraph, Report, Table, section_number
from kechuang.reports.forms import ReportQueryForm
from kechuang.reports.models import GeneratedDocument, ReportVersion, SentenceTemplate
from kechuang.reports.phrasing import default_templates

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _blocks(report: Report) -> list[dict[str, Any]]:
    """The report as the preview template walks it (numbered sections, typed blocks, chart data for ECharts)."""
    out = []
    for index, section in enumerate(report.sections, start=1):
        blocks = []
        for block in section.blocks:
            if isinstance(block, Paragraph):
                blocks.append({"type": "paragraph", "block": block})
            elif isinstance(block, Table):
                blocks.append({"type": "table", "block": block})
            elif isinstance(block, Chart):
                blocks.append({"type": "chart", "block": block, "data": {
                    "labels": block.labels, "series": [{"name": s["name"], "data": s["values"]} for s in block.series]},
                    "chart": "line" if block.kind == "trend" else "bar"})
        out.append({"number": section_number(index), "section": section, "blocks": blocks})
    return out


def _docx_response(content: bytes, report: Report, number: int | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    suffix = f"-v{number}" if number else ""
    response["Content-Disposition"] = (f"attachment; filename*=UTF-8''annual-{report.region}-{report.year}"
                                       f"{suffix}.docx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@policy(ModelPolicy(ReportVersion, "view"))
def index(request: HttpRequest) -> HttpResponse:
    form = ReportQueryForm(request.GET or None)
    report = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            report = build_annual_report(data["region"], data["year"], as_of=data["as_of"], user=request.user)
        except ReportError as error:
            form.add_error(None, str(error))
        except PermissionDenied as error:
            form.add_error("region", str(error))
        if report is not None and request.GET.get("download") == "docx":
            if not can(request.user, ReportVersion, "export"):
                raise PermissionDenied("您的角色无权导出报告。")
            content, _doc = services.annual_docx(report, actor=request.user)
            return _docx_response(content, report)
        if report is not None and request.GET.get("download") == "xlsx":
            if not can(request.user, ReportVersion, "export"):
                raise PermissionDenied("您的角色无权导出工作簿。")
            content, _doc = services.workbook_xlsx(data["region"], data["year"], as_of=data["as_of"],
                                                   actor=request.user, user=request.user)
            response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = (f"attachment; filename*=UTF-8''workbook-{data['region'].code}-"
                                               f"{data['year']}.xlsx")
            return response
    versions = ReportVersion.objects.restrict(request.user, "view").select_related("region", "created_by")[:30]
    documents = GeneratedDocument.objects.restrict(request.user, "view").select_related("region", "generated_by")[:30]
    return render(request, "reports/index.html", {
        "form": form, "report": report, "sections": _blocks(report) if report else [],
        "versions": versions, "documents": documents, "can_save": can(request.user, ReportVersion, "add")},
        status=400 if form.is_bound and (form.errors or report is None) else 200)


@require_POST
@policy(ModelPolicy(ReportVersion, "add"))
def save_build(request: HttpRequest) -> HttpResponse:
    """Save the freshly built report as a new version (the same build as the preview: same inputs, same data)."""
    form = ReportQueryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("reports:index")
    data = form.cleaned_data
    try:
        report = build_annual_report(data["region"], data["year"], as_of=data["as_of"], user=request.user)
    except (ReportError, PermissionDenied) as error:
        messages.error(request, str(error))
        return redirect("reports:index")
    version = services.save_version(report, actor=request.user, note="由平台数据生成")
    messages.success(request, f"已保存为第 {version.number} 版。")
    return redirect(version)


def _version(request: HttpRequest, pk: int, action: str = "view") -> ReportVersion:
    version = ReportVersion.objects.restrict(request.user, action).select_related("region").filter(pk=pk).first()
    if version is None:
        raise Http404("未找到该报告版本，或它不在您的管辖范围内。")
    return version


@policy(ModelPolicy(ReportVersion, "view"))
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    report = version.report()
    if request.method == "POST":
        if not can(request.user, ReportVersion, "change"):
            raise PermissionDenied("您的角色无权编辑报告。")
        _version(request, pk, "change")
        edits = {key[len("p:"):]: value for key, value in request.POST.items() if key.startswith("p:")}
        additions = {key[len("add:"):]: value for key, value in request.POST.items() if key.startswith("add:")}
        edited = services.apply_edits(report, edits, additions)
        if edited.content_hash() == report.content_hash():
            messages.info(request, "内容没有变化，未保存新版本。")
            return redirect(version)
        saved = services.save_version(edited, actor=request.user, note=request.POST.get("note", "人工修改"))
        messages.success(request, f"已保存为第 {saved.number} 版。")
        return redirect(saved)
    if request.GET.get("download") == "docx":
        if not can(request.user, ReportVersion, "export"):
            raise PermissionDenied("您的角色无权导出报告。")
        content, _doc = services.annual_docx(report, actor=request.user, version=version)
        return _docx_response(content, report, version.number)
    others = ReportVersion.objects.restrict(request.user, "view").filter(region=version.region, year=version.year)
    return render(request, "reports/version.html", {
        "version": version, "report": report, "sections": _blocks(report), "others": others.order_by("-number"),
        "editing": request.GET.get("edit") == "1" and can(request.user, ReportVersion, "change"),
        "can_change": can(request.user, ReportVersion, "change"),
        "documents": version.documents.select_related("generated_by")})


@policy(ModelPolicy(SentenceTemplate, "view"))
def templates(request: HttpRequest) -> HttpResponse:
    """句式模板: the default wording of every sentence and the bureau's own, per region."""
    from kechuang.indicators.dashboard import scope_roots

    roots = scope_roots(request.user)
    code = request.POST.get("region") or request.GET.get("region") or (roots[0].code if roots else "")
    region = Region.objects.filter(code=code).first() if code else None
    if region is None or not region_in_scope(request.user, SentenceTemplate, region, "view"):
        raise Http404("未找到该区域，或它不在您的管辖范围内。")
    if request.method == "POST":
        if not region_in_scope(request.user, SentenceTemplate, region, "change"):
            raise PermissionDenied("您的角色无权修改句式模板。")
        try:
            services.set_template(region=region, key=request.POST.get("key", ""), text=request.POST.get("text", ""),
                                  actor=request.user)
            messages.success(request, "句式模板已保存。")
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(f"{request.path}?region={region.code}")
    own = dict(SentenceTemplate.objects.filter(region=region).values_list("key", "text"))
    rows = [{"key": key, "label": entry["label"], "default": entry["text"], "own": own.get(key, "")}
            for key, entry in default_templates().items()]
    return render(request, "reports/templates.html", {"region": region, "rows": rows,
                                                      "can_change": region_in_scope(request.user, SentenceTemplate,
                                                                                    region, "change")})


