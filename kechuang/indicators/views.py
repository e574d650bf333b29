"""Pages of the indicator module (指标考核). Thin: parse input, call `figures` / `services` / `redblack` /
`collection`, render. Every read goes through `restrict()`; out-of-scope objects are 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core import views as generic
from kechuang.core.export import XLSX_CONTENT_TYPE
from kechuang.core.imports.safety import ImportRejected
from kechuang.core.imports.views import ImportView
from kechuang.core.permissions import can, region_in_scope
from kechuang.core.policy import ModelPolicy, policy
from kechuang.indicators import collection, services
from kechuang.indicators.choices import SubmissionStatus
from kechuang.indicators.computations import computation_for
from kechuang.indicators.dashboard import dashboard_data, scope_roots
from kechuang.indicators.figures import region_figures, trend
from kechuang.indicators.filtersets import IndicatorFilterSet, IndicatorValueFilterSet
from kechuang.indicators.forms import RedBlackForm, RoundForm, TargetForm, TargetQueryForm, ValueForm
from kechuang.indicators.imports import IndicatorValueImportSchema
from kechuang.indicators.models import (
    CollectionRound,
    Indicator,
    IndicatorValue,
    RedBlackList,
    Submission,
    Target,
)
from kechuang.indicators.redblack import build_list, publish_list
from kechuang.indicators.round_import import import_round, round_template
from kechuang.indicators.tables import IndicatorTable, IndicatorValueTable
from kechuang.regions.models import Region


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _scoped_region(request: HttpRequest, code: str | None) -> Region | None:
    """The region `code` if it lies in the user's scope for indicator values (404 otherwise); None for no code."""
    if not code:
        return None
    region = Region.objects.filter(code=code.ljust(12, "0") if len(code) < 12 else code).first()
    if region is None or not region_in_scope(request.user, IndicatorValue, region, "view"):
        raise Http404("未找到该区域，或它不在您的管辖范围内。")
    return region


# --- dashboard -----------------------------------------------------------------------------------------------


@policy(ModelPolicy(IndicatorValue, "view"))
def dashboard(request: HttpRequest) -> HttpResponse:
    region = _scoped_region(request, request.GET.get("region"))
    year = _int(request.GET.get("year"))
    as_of = _date(request.GET.get("as_of"))
    if as_of and as_of > timezone.localdate():
        messages.error(request, "数据截至日期不能晚于今天，已改为今天。")
        as_of = timezone.localdate()
    data = dashboard_data(request.user, region=region, year=year, as_of=as_of)
    for item in data["items"]:
        progress = item.figure.progress
        item.chart = {
            "code": item.indicator.code,
            "gauge": {"value": float(progress.completion * 100) if progress.completion is not None else None,
                      "schedule": float(progress.schedule * 100), "name": item.indicator.name},
            "trend": {"labels": [str(y) for y, _v in item.trend],
                      "values": [float(v) if v is not None else None for _y, v in item.trend]},
            "regions": {"labels": [f.region.short_name or f.region.name for f in item.children],
                        "values": [float(f.value) for f in item.children]},
        }
    return render(request, "indicators/dashboard.html", data)


# --- catalogue and one indicator -----------------------------------------------------------------------------


class IndicatorListView(generic.ObjectListView):
    model = Indicator
    filterset_class = IndicatorFilterSet
    table_class = IndicatorTable


@policy(ModelPolicy(Indicator, "view"))
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = Indicator.objects.filter(pk=pk).first()
    if indicator is None:
        raise Http404("未找到该指标。")
    roots = scope_roots(request.user) if can(request.user, IndicatorValue, "view") else []
    region = _scoped_region(request, request.GET.get("region")) if roots else None
    region = region or (roots[0] if roots else None)
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year) or today.year
    as_of = min(_date(request.GET.get("as_of")) or today, today)
    context: dict[str, Any] = {"indicator": indicator, "region": region, "year": year, "as_of": as_of,
                               "drillable": computation_for(indicator.code) is not None}
    if region is not None:
        children = list(Region.objects.children_of(region.code).order_by("code"))
        context["own_rows"] = region_figures(indicator, [region], year, as_of, user=request.user)
        context["rows"] = region_figures(indicator, children, year, as_of, user=request.user)
        years = list(range(year - 5, year + 1))
        series = trend(indicator, region.code, years, user=request.user, as_of=as_of)
        context["trend"] = {"labels": [str(y) for y, _v in series],
                            "values": [float(v) if v is not None else None for _y, v in series]}
    return render(request, "indicators/indicator_detail.html", context)


@policy(ModelPolicy(IndicatorValue, "view"))
def drilldown(request: HttpRequest, pk: int, region: str) -> HttpResponse:
    """The enterprises that make up a region's computed figure, and those that left it since last year."""
    from kechuang.enterprises.models import Enterprise

    indicator = Indicator.objects.filter(pk=pk).first()
    computation = computation_for(indicator.code) if indicator else None
    if computation is None or computation.members is None:
        raise Http404("该指标不是由企业数据计算的指标，无法下钻。")
    place = _scoped_region(request, region)
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year) or today.year
    on = min(_date(request.GET.get("as_of")) or today, date(year, 12, 31), today)
    allowed = Enterprise.objects.restrict(request.user, "view")
    members = computation.members(place.code, year, on).filter(pk__in=allowed.values("pk"))
    lost = computation.lost(place.code, year, on).filter(pk__in=allowed.values("pk")) if computation.lost else None
    return render(request, "indicators/drilldown.html", {
        "indicator": indicator, "region": place, "year": year, "as_of": on,
        "count": members.count(), "members": members.select_related("region").order_by("name")[:500],
        "lost": list(lost.select_related("region").order_by("name")[:500]) if lost is not None else None})


# --- values -----------------------------------------------------------------------------------------------------


class IndicatorValueListView(generic.ObjectListView):
    model = IndicatorValue
    filterset_class = IndicatorValueFilterSet
    table_class = IndicatorValueTable
    template_name = "indicators/value_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("indicator", "region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_change_values"] = can(self.request.user, IndicatorValue, "change")
        return context


class IndicatorValueExportView(generic.ObjectExportView):
    model = IndicatorValue
    filterset_class = IndicatorValueFilterSet
    table_class = IndicatorValueTable
    action = "export"

    def get(self, request: HttpRequest) -> HttpResponse:
        """The filtered figures as tuples, written straight to .xlsx (django-tables2 renders ~1 ms a cell)."""
        from kechuang.audit.changelog import record_event
        from kechuang.core.export import XLSX_CONTENT_TYPE, write_xlsx
        from kechuang.indicators.choices import ValueOrigin
        from kechuang.indicators.periods import period_label

        filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
        rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        origins = dict(ValueOrigin.choices)
        headers = ["指标代码", "指标", "单位", "区划代码", "区域", "年度", "统计期", "数值", "数据日期", "来源",
                   "已冻结", "说明"]
        values = ((code, name, unit, region, region_name, year, period_label(year, period), value, day,
                   str(origins.get(origin, origin)), "是" if frozen else "否", note)
                  for code, name, unit, region, region_name, year, period, value, day, origin, frozen, note in
                  rows.values_list("indicator__code", "indicator__name", "indicator__unit", "region_id",
                                   "region__name", "year", "period", "value", "as_of", "origin", "frozen",
                                   "note").iterator(chunk_size=5000))
        content, count = write_xlsx(headers, values, sheet="指标数值")
        record_event("export", message="导出指标数值",
                     data={"model": "indicators.indicatorvalue", "rows": count, "filters": request.GET.dict()})
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''indicatorvalue-{stamp}.xlsx"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class IndicatorValueImportView(ImportView):
    """导入 reported figures (the core pipeline), then refresh the derived figures of what the file changed."""

    schema = IndicatorValueImportSchema
    model = IndicatorValue

    def post(self, request: HttpRequest) -> HttpResponse:
        response = super().post(request)
        if response.status_code == 200 and not request.POST.get("dry_run"):
            refresh_derived_after_import()
        return response


def refresh_derived_after_import() -> None:
    """Recompute the derived figures of every region and period this request's import wrote."""
    from django.contrib.contenttypes.models import ContentType

    from kechuang.audit.models import ObjectChange
    from kechuang.core.context import current

    written = ObjectChange.objects.filter(request_id=current().request_id,
                                          content_type=ContentType.objects.get_for_model(IndicatorValue))
    touched = IndicatorValue.objects.filter(pk__in=[int(pk) for pk in written.values_list("object_id", flat=True)])
    by_period: dict[tuple[int, str], set[str]] = {}
    for region, year, period in touched.values_list("region_id", "year", "period"):
        by_period.setdefault((year, period), set()).add(region)
    for (year, period), regions in sorted(by_period.items()):
        services.refresh_derived(sorted(regions), year, period)


@policy(ModelPolicy(IndicatorValue, "add"))
def value_entry(request: HttpRequest) -> HttpResponse:
    form = ValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.enter_value(indicator=data["indicator"], region=data["region"], year=data["year"],
                                       period=data["period"], value=data["value"], note=data["note"],
                                       actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _errors(error) if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, f"已录入：{row}")
            return redirect("indicators:indicatorvalue_list")
    return render(request, "indicators/form.html", {"form": form, "title": "录入指标数值",
                                                     "intro": "仅“填报/导入”类指标可录入；平台计算和公式派生的指标由平台生成。"})


@require_POST
@policy(ModelPolicy(IndicatorValue, "change"))
def freeze(request: HttpRequest) -> HttpResponse:
    """冻结 the filtered figures the user may change (the list's current filter) as officially reported."""
    rows = IndicatorValueFilterSet(request.POST, queryset=IndicatorValue.objects.restrict(request.user, "change")).qs
    if not any(request.POST.get(k) for k in ("indicator", "year", "within")):
        messages.error(request, "请先按指标、年度或区域筛选，再冻结。")
    else:
        count = services.freeze_values(rows, actor=request.user)
        messages.success(request, f"已冻结 {count} 个指标值为正式上报数。")
    return redirect(f"{request.path.replace('freeze/', '')}?{request.POST.urlencode()}")


# --- targets ------------------------------------------------------------------------------------------------


@policy(ModelPolicy(Target, "view"))
def targets(request: HttpRequest) -> HttpResponse:
    query = TargetQueryForm(request.GET or None)
    entry = TargetForm(request.POST or None)
    can_set = can(request.user, Target, "change")
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied("您的角色无权设置目标。")
        if entry.is_valid():
            data = entry.cleaned_data
            try:
                services.set_target(indicator=data["indicator"], region=data["region"], year=data["year"],
                                    value=data["value"], note=data["note"], actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                entry.add_error(None, _errors(error) if isinstance(error, ValidationError) else str(error))
            else:
                messages.success(request, "目标已保存。")
                return redirect(f"{request.path}?indicator={data['indicator'].pk}&region={data['region'].code}"
                                f"&year={data['year']}")
    context: dict[str, Any] = {"query": query, "entry": entry, "can_set": can_set}
    if query.is_valid():
        roots = scope_roots(request.user)
        region = query.cleaned_data.get("region") or (roots[0] if roots else None)
        if region is not None and not region_in_scope(request.user, Target, region, "view"):
            raise Http404("未找到该区域，或它不在您的管辖范围内。")
        year = query.cleaned_data.get("year") or timezone.localdate().year
        if region is not None:
            context["check"] = services.decomposition(query.cleaned_data["indicator"], region, year,
                                                      user=request.user)
    context["recent"] = Target.objects.restrict(request.user, "view").select_related(
        "indicator", "region").order_by("-year", "indicator__position", "region")[:50]
    return render(request, "indicators/targets.html", context)


# --- red/black lists ---------------------------------------------------------------------------------------------


@policy(ModelPolicy(RedBlackList, "view"))
def redblack_index(request: HttpRequest) -> HttpResponse:
    form = RedBlackForm(request.POST or request.GET or None)
    can_publish = can(request.user, RedBlackList, "add")
    context: dict[str, Any] = {"form": form, "can_publish": can_publish,
                               "published": RedBlackList.objects.restrict(request.user, "view")
                               .select_related("region")[:30]}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        scheme, indicator = data.get("scheme"), data.get("indicator")
        region = data.get("region") or (scheme.region if scheme else None)
        if not region_in_scope(request.user, RedBlackList, region, "view"):
            raise Http404("未找到该区域，或它不在您的管辖范围内。")
        year = scheme.year if scheme else data["year"]
        as_of = data.get("as_of") or min(timezone.localdate(), date(year, 12, 31))
        lines = build_list(year=year, as_of=as_of, scheme=scheme, indicator=indicator, region=region,
                           black_rule=data["black_rule"], user=request.user)
        title = f"{year}年{region.name}{scheme.name if scheme else indicator.name}红黑榜（截至{as_of:%Y年%m月%d日}）"
        if request.method == "POST":
            if not can_publish or not region_in_scope(request.user, RedBlackList, region, "add"):
                raise PermissionDenied("您的角色无权发布红黑榜。")
            published = publish_list(title=title, lines=lines, year=year, as_of=as_of, region=region,
                                     scheme=scheme, indicator=indicator, actor=request.user)
            messages.success(request, "红黑榜已发布并冻结。")
            return redirect(published)
        context.update({"lines": lines, "title": title, "as_of": as_of})
    return render(request, "indicators/redblack.html", context)


@policy(ModelPolicy(RedBlackList, "view"))
def redblack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    published = RedBlackList.objects.restrict(request.user, "view").filter(pk=pk).first()
    if published is None:
        raise Http404("未找到该红黑榜，或它不在您的管辖范围内。")
    entries = list(published.entries.select_related("region"))
    return render(request, "indicators/redblack_detail.html", {"list": published, "entries": entries})


# --- collection rounds -----------------------------------------------------------------------------------------


@policy(ModelPolicy(CollectionRound, "view"))
def round_list(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    can_open = can(request.user, CollectionRound, "add")
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied("您的角色无权发起采集。")
        if form.is_valid():
            data = form.cleaned_data
            try:
                opened = collection.open_round(name=data["name"], region=data["region"], year=data["year"],
                                               period=data["period"], indicators=list(data["indicators"]),
                                               deadline=data["deadline"], actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _errors(error) if isinstance(error, ValidationError) else str(error))
            else:
                messages.success(request, "采集轮次已发起。")
                return redirect(opened)
    rounds = CollectionRound.objects.restrict(request.user, "view").select_related("region")
    mine = Submission.objects.restrict(request.user, "view").select_related("collection_round", "region").filter(
        status__in=(SubmissionStatus.DRAFT, SubmissionStatus.RETURNED))[:50]
    return render(request, "indicators/round_list.html", {"form": form, "can_open": can_open,
                                                          "rounds": rounds[:100], "mine": mine})


@policy(ModelPolicy(CollectionRound, "view"))
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    collection_round = CollectionRound.objects.restrict(request.user, "view").filter(pk=pk).first()
    if collection_round is None:
        raise Http404("未找到该采集轮次，或它不在您的管辖范围内。")
    today = timezone.localdate()
    manage = region_in_scope(request.user, CollectionRound, collection_round.region, "change")
    if request.GET.get("template") and manage:
        response = HttpResponse(round_template(collection_round), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''round-{collection_round.pk}.xlsx"
        return response
    import_result = None
    if request.method == "POST" and request.POST.get("action") == "import":
        upload = request.FILES.get("file")
        try:
            if upload is None or not upload.name.lower().endswith(".xlsx"):
                raise ImportRejected("请选择 .xlsx 格式的文件。")
            import_result = import_round(collection_round, upload, actor=request.user)
        except ImportRejected as error:
            messages.error(request, error.message)
        except PermissionDenied as error:
            messages.error(request, str(error))
        if import_result is not None and import_result.ok:
            messages.success(request, f"已导入：{len(import_result.submitted)} 个区域已报送，"
                                      f"{len(import_result.drafts)} 个区域存为草稿。")
    elif request.method == "POST":
        try:
            if request.POST.get("action") == "remind":
                late = collection.remind_late(collection_round, as_of=today, actor=request.user)
                messages.success(request, f"已向 {len(late)} 个逾期区域催报。")
            elif request.POST.get("action") == "close":
                collection.close_round(collection_round, actor=request.user)
                messages.success(request, "采集轮次已关闭。")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _errors(error) if isinstance(error, ValidationError) else str(error))
        return redirect(collection_round)
    submissions = list(collection_round.submissions.select_related("region"))
    late = {s.pk for s in collection.late_submissions(collection_round, as_of=today)}
    return render(request, "indicators/round_detail.html", {
        "round": collection_round, "submissions": submissions, "late": late,
        "indicators": list(collection_round.indicators.all()), "can_manage": manage,
        "import_result": import_result}, status=400 if import_result is not None and not import_result.ok else 200)


@policy(ModelPolicy(Submission, "view"))
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = Submission.objects.restrict(request.user, "view").select_related(
        "collection_round", "region").filter(pk=pk).first()
    if submission is None:
        raise Http404("未找到该报送，或它不在您的管辖范围内。")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "submit"):
                indicators = submission.collection_round.indicators.all()
                collection.save_draft(submission, {i.pk: request.POST.get(f"value_{i.pk}", "") for i in indicators},
                                      {i.pk: request.POST.get(f"explanation_{i.pk}", "") for i in indicators},
                                      actor=request.user)
                if action == "submit":
                    collection.submit(submission, actor=request.user)
                    messages.success(request, "已报送，等待上级审核。")
                else:
                    messages.success(request, "草稿已保存。")
            elif action in ("accept", "return"):
                collection.review(submission, accept=action == "accept", note=request.POST.get("note", ""),
                                  actor=request.user)
                messages.success(request, "已通过，数据已入库。" if action == "accept" else "已退回。")
        except ValidationError as error:
            messages.error(request, _errors(error))
        except PermissionDenied as error:
            messages.error(request, str(error))
        return redirect(submission)
    items = {item.indicator_id: item for item in submission.items.all()}
    previous = collection.previous_figures(submission)
    lines = [{"indicator": i, "item": items.get(i.pk), "previous": previous.get(i.pk)}
             for i in submission.collection_round.indicators.all()]
    return render(request, "indicators/submission_detail.html", {
        "submission": submission, "lines": lines, "problems": collection.submission_problems(submission),
        "can_edit": region_in_scope(request.user, Submission, submission.region, "change")
        and submission.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED),
        "can_review": region_in_scope(request.user, Submission, submission.collection_round.region,
                                               "change") and submission.status == SubmissionStatus.SUBMITTED})
