"""红黑榜 (red/black list): regions ranked on one indicator or on an assessment scheme (考核办法), the top N on
the red list, the bottom N — or every region behind schedule — on the black list; published as a frozen list.

Scores:
- one indicator with targets: completion (完成率) × 100; without any target among the regions: the figure itself;
- a scheme: Σ weight × min(completion, cap) ÷ Σ weight × 100, against the weighted schedule (加权序时进度);
  an item without a completion scores 0 for that region and is named in the line's detail — except an item no
  region has a completion for yet (an annual figure before the year's data exist), which is left out of the
  weights for everyone rather than zeroing every score;
- red list (红榜): the top N by rank, whatever their schedule status (a ranking of who did best);
A region with no score at all (数据暂缺) is not ranked; it is listed last and put on the black list, because a
region that has not reported cannot be shown as on track.
Ties share a rank (并列); at the edge of the red or black list every tied region is included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kechuang.audit.changelog import log_bulk_changes, record_event, snapshot_values
from kechuang.indicators.choices import Band, BlackRule, Direction, ProgressStatus
from kechuang.indicators.derive import Rank, rank
from kechuang.indicators.figures import region_figures, region_figures_many
from kechuang.indicators.models import AssessmentScheme, Indicator, RedBlackEntry, RedBlackList
from kechuang.indicators.progress import status
from kechuang.indicators.serialize import number
from kechuang.regions.models import Region

HUNDRED = Decimal(100)
Q4 = Decimal("0.0001")


@dataclass
class Line:
    region: Region
    score: Decimal | None
    completion: Decimal | None
    schedule: Decimal | None
    status: str
    rank: Rank | None = None
    band: str = Band.NONE
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.status).label)

    @property
    def position(self) -> int | None:
        return self.rank.position if self.rank else None

    @property
    def tied(self) -> bool:
        return bool(self.rank and self.rank.tied)

    @property
    def band_label(self) -> str:
        return str(Band(self.band).label) if self.band else ""


def ranked_regions(parent: Region, level: str | None = None) -> list[Region]:
    """The regions a list ranks: the children of `parent`, or every region of `level` under it."""
    if level:
        return list(Region.objects.subtree(parent.code).filter(level=level).exclude(code=parent.code)
                    .order_by("code"))
    return list(Region.objects.children_of(parent.code).order_by("code"))


def indicator_lines(indicator: Indicator, regions: Sequence[Region], year: int, as_of: date, *,
                    user: Any = None) -> list[Line]:
    figures = region_figures(indicator, regions, year, as_of, user=user)
    by_completion = any(f.progress.target is not None for f in figures)
    lines = []
    for figure in figures:
        progress = figure.progress
        score = (progress.completion * HUNDRED if progress.completion is not None else None) if by_completion \
            else figure.value
        lines.append(Line(figure.region, score, progress.completion, progress.schedule, progress.status,
                          detail={indicator.code: _item(figure, Decimal(1))}))
    return lines


def _item(figure: Any, weight: Decimal) -> dict[str, Any]:
    progress = figure.progress
    return {"name": figure.indicator.name, "weight": str(weight), "value": number(figure.value),
            "target": number(progress.target), "completion": number(progress.completion),
            "schedule": number(progress.schedule), "status": progress.status}


def scheme_lines(scheme: AssessmentScheme, regions: Sequence[Region], as_of: date, *, user: Any = None
                 ) -> list[Line]:
    items = list(scheme.items.select_related("indicator"))
    cap = scheme.completion_cap
    partial: dict[str, dict[str, Any]] = {r.code: {"score": Decimal(0), "schedule": Decimal(0), "detail": {},
                                                    "any": False} for r in regions}
    total_weight = Decimal(0)
    table = region_figures_many([item.indicator for item in items], [(regions, None)], scheme.year, as_of,
                                user=user)
    for item in items:
        figures = table[item.indicator.pk][0]
        for figure in figures:
            partial[figure.region.code]["detail"][item.indicator.code] = _item(figure, item.weight)
        if all(figure.progress.completion is None for figure in figures):
            continue  # not due yet for anyone (e.g. an annual figure before year end): left out of the weights
        total_weight += item.weight
        for figure in figures:
            entry = partial[figure.region.code]
            progress = figure.progress
            if progress.completion is not None:
                entry["score"] += item.weight * min(progress.completion, cap)
                entry["any"] = True
            entry["schedule"] += item.weight * progress.schedule
    lines = []
    for region in regions:
        entry = partial[region.code]
        if not entry["any"] or not total_weight:
            lines.append(Line(region, None, None, None, ProgressStatus.MISSING, detail=entry["detail"]))
            continue
        done = (entry["score"] / total_weight).quantize(Q4)
        expected = (entry["schedule"] / total_weight).quantize(Q4)
        lines.append(Line(region, (done * HUNDRED).quantize(Q4), done, expected, status(done, expected, on=as_of),
                          detail=entry["detail"]))
    return lines


def band_lines(lines: list[Line], *, red_count: int, black_count: int, black_rule: str,
               direction: str = Direction.UP) -> list[Line]:
    """Rank the lines (best first), mark the red and black lists, and return them in rank order."""
    ranks = rank({line.region.code: line.score for line in lines}, direction)
    for line in lines:
        line.rank = ranks.get(line.region.code)
    ranked = sorted((line for line in lines if line.rank), key=lambda line: (line.rank.position, line.region.code))
    unranked = [line for line in lines if not line.rank]
    if ranked and red_count:
        edge = ranked[min(red_count, len(ranked)) - 1].rank.position
        for line in ranked:
            if line.rank.position <= edge:
                line.band = Band.RED
    if black_rule == BlackRule.BELOW_SCHEDULE:
        for line in ranked:
            if line.status == ProgressStatus.RED:
                line.band = Band.BLACK
    elif ranked and black_count:
        edge = ranked[max(len(ranked) - black_count, 0)].rank.position
        for line in ranked:
            if line.rank.position >= edge and line.band != Band.RED:
                line.band = Band.BLACK
    for line in unranked:
        line.band = Band.BLACK
    return ranked + sorted(unranked, key=lambda line: line.region.code)


def build_list(*, year: int, as_of: date, scheme: AssessmentScheme | None = None,
               indicator: Indicator | None = None, region: Region | None = None, level: str | None = None,
               red_count: int = 3, black_count: int = 3, black_rule: str = BlackRule.BOTTOM_N,
               user: Any = None) -> list[Line]:
    """Return the ranked, banded lines of a list on a scheme or on one indicator (not stored)."""
    if (scheme is None) == (indicator is None):
        raise ValueError("红黑榜须且只能基于一个考核办法或一个指标。")
    if scheme is not None:
        regions = ranked_regions(region or scheme.region, level)
        lines = scheme_lines(scheme, regions, as_of, user=user)
        return band_lines(lines, red_count=scheme.red_count, black_count=scheme.black_count,
                          black_rule=scheme.black_rule)
    if region is None:
        raise ValueError("按单项指标排名须指定考核主体区域。")
    lines = indicator_lines(indicator, ranked_regions(region, level), year, as_of, user=user)
    targets = any(line.completion is not None for line in lines)
    return band_lines(lines, red_count=red_count, black_count=black_count, black_rule=black_rule,
                      direction=Direction.UP if targets else indicator.direction)


def publish_list(*, title: str, lines: list[Line], year: int, as_of: date, region: Region, actor: Any,
                 scheme: AssessmentScheme | None = None, indicator: Indicator | None = None) -> RedBlackList:
    """Store a list and its lines as published (发布): later data changes do not touch it."""
    with transaction.atomic():
        published = RedBlackList(title=title, scheme=scheme, indicator=indicator, region=region, year=year,
                                 as_of=as_of, published_on=timezone.now(),
                                 published_by=actor if getattr(actor, "pk", None) else None)
        published.full_clean()
        published.save()
        now = timezone.now()
        entries = [RedBlackEntry(
            list=published, region=line.region, rank=line.rank.position if line.rank else None,
            tied=bool(line.rank and line.rank.tied), score=line.score, completion=line.completion,
            schedule=line.schedule, status=line.status, band=line.band, detail=line.detail,
            created=now, last_updated=now) for line in lines]
        RedBlackEntry.objects.bulk_create(entries)
        log_bulk_changes(RedBlackEntry, (("create", e.pk, None, snapshot_values(
            RedBlackEntry, {f.attname: getattr(e, f.attname) for f in e._meta.concrete_fields})) for e in entries))
        record_event("indicators.redblack.published", obj=published, message=f"发布红黑榜：{title}",
                     data={"year": year, "as_of": as_of.isoformat(), "entries": len(entries)}, actor=actor)
    return published
