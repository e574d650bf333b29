"""`/api/indicators/`: the catalogue, figures by region, progress and red/black lists — read through the same
`figures` / `redblack` code as the pages and the commands, so the numbers cannot differ."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from kechuang.core.api import require
from kechuang.core.permissions import region_in_scope
from kechuang.indicators.figures import region_figures
from kechuang.indicators.models import AssessmentScheme, Indicator, IndicatorValue, RedBlackList
from kechuang.indicators.redblack import build_list
from kechuang.indicators.serialize import figure_json, indicator_json, line_json, number
from kechuang.regions.models import Region, normalize_region_code

router = Router(tags=["指标考核"])


def _region(request: HttpRequest, code: str, model: type = IndicatorValue) -> Region:
    try:
        region = Region.objects.filter(code=normalize_region_code(code)).first()
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    if region is None or not region_in_scope(request.user, model, region, "view"):
        raise HttpError(404, "未找到该区域，或它不在您的管辖范围内。")
    return region


def _as_of(as_of: datetime.date | None, year: int) -> datetime.date:
    today = timezone.localdate()
    if as_of is not None and as_of > today:
        raise HttpError(422, "数据截至日期不能晚于今天。")
    return as_of or min(today, datetime.date(year, 12, 31))


def _indicator(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code, is_active=True).first()
    if indicator is None:
        raise HttpError(404, f"指标“{code}”不存在。")
    return indicator


@router.get("/catalogue", response=list[dict[str, Any]], operation_id="indicators_catalogue", summary="指标目录")
def catalogue(request: HttpRequest) -> Any:
    return [indicator_json(i) for i in require(request, Indicator, "view").filter(is_active=True)]


@router.get("/figures", response=list[dict[str, Any]], operation_id="indicators_figures",
            summary="一个指标在某区域及其下级区域的数值、同比、排名、目标与进度")
def figures(request: HttpRequest, indicator: str, region: str, year: int,
            as_of: datetime.date | None = None) -> Any:
    require(request, IndicatorValue, "view")
    place = _region(request, region)
    day = _as_of(as_of, year)
    children = list(Region.objects.children_of(place.code).order_by("code"))
    chosen = _indicator(indicator)
    rows = region_figures(chosen, [place], year, day, user=request.user)
    rows += region_figures(chosen, children, year, day, user=request.user)
    return [figure_json(row) for row in rows]


@router.get("/progress", response=list[dict[str, Any]], operation_id="indicators_progress",
            summary="某区域各指标的完成情况（有数值或目标的指标）")
def progress(request: HttpRequest, region: str, year: int, as_of: datetime.date | None = None) -> Any:
    require(request, IndicatorValue, "view")
    place = _region(request, region)
    day = _as_of(as_of, year)
    out = []
    for indicator in Indicator.objects.filter(is_active=True):
        figure = region_figures(indicator, [place], year, day, user=request.user)[0]
        if figure.value is not None or figure.progress.target is not None:
            out.append(figure_json(figure))
    return out


@router.get("/redblack", response=dict[str, Any], operation_id="indicators_redblack",
            summary="按考核办法或单项指标对下级区域排名（红黑榜预览，不保存）")
def redblack(request: HttpRequest, year: int, scheme: str | None = None, indicator: str | None = None,
             region: str | None = None, level: str | None = None, as_of: datetime.date | None = None) -> Any:
    require(request, RedBlackList, "view")
    if bool(scheme) == bool(indicator):
        raise HttpError(422, "请指定 scheme 或 indicator 之一。")
    chosen_scheme = None
    if scheme:
        chosen_scheme = AssessmentScheme.objects.restrict(request.user, "view").filter(code=scheme).first()
        if chosen_scheme is None:
            raise HttpError(404, f"考核办法“{scheme}”不存在，或不在您的管辖范围内。")
    place = _region(request, region, RedBlackList) if region else (chosen_scheme.region if chosen_scheme else None)
    if place is None:
        raise HttpError(422, "按单项指标排名须指定 region。")
    day = _as_of(as_of, year)
    lines = build_list(year=chosen_scheme.year if chosen_scheme else year, as_of=day, scheme=chosen_scheme,
                       indicator=_indicator(indicator) if indicator else None, region=place, level=level,
                       user=request.user)
    return {"region": place.code, "year": year, "as_of": day.isoformat(), "lines": [line_json(x) for x in lines]}


@router.get("/redblack/{list_id}", response=dict[str, Any], operation_id="indicators_redblack_published",
            summary="已发布（冻结）的红黑榜")
def published(request: HttpRequest, list_id: int) -> Any:
    found = require(request, RedBlackList, "view").filter(pk=list_id).first()
    if found is None:
        raise HttpError(404, "未找到该红黑榜，或它不在您的管辖范围内。")
    return {"title": found.title, "region": found.region_id, "year": found.year, "as_of": found.as_of.isoformat(),
            "published_on": found.published_on.isoformat(),
            "entries": [{"region": e.region_id, "rank": e.rank, "tied": e.tied, "score": number(e.score),
                         "completion": number(e.completion), "schedule": number(e.schedule), "status": e.status,
                         "band": e.band or None, "detail": e.detail} for e in found.entries.all()]}
