"""The report builder (报告生成): for a region, a year and a data date, a pure function of the stored data —
indicators through `kechuang.indicators.figures`, the registry through restricted querysets — returning the
`Report` content. Sections are registered (`register_section`); a later module adds its own section the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kechuang.indicators.figures import RegionFigure, region_figures, values_for
from kechuang.indicators.models import Indicator
from kechuang.regions.models import Region
from kechuang.reports.content import Report, Section
from kechuang.reports.phrasing import PEERS, Phrasebook


class ReportError(ValueError):
    """Bad input for a report: a clear Chinese message, and no file."""


@dataclass
class ReportContext:
    """What a section builder reads: the place, the year, the data date, the reader (None: the system, all
    rows), the phrasebook, and the figures already read (so two sections never read a figure twice)."""

    region: Region
    year: int
    as_of: date
    user: Any
    book: Phrasebook
    peers: list[Region]
    children: list[Region]
    warnings: list[str] = field(default_factory=list)
    hnte_lapsed: int = 0  # 高企 certificates ended this year and not renewed (the ladder section counts them)
    _figures: dict[tuple[str, int], RegionFigure] = field(default_factory=dict)
    _children: dict[tuple[str, int], list[RegionFigure]] = field(default_factory=dict)

    @property
    def peers_label(self) -> str:
        return PEERS.get(self.region.level, "同级地区")

    def figure(self, indicator: Indicator, year: int | None = None) -> RegionFigure:
        """The region's figure for `indicator`, ranked among its peers, known on the as-of date (or on the
        31 December of an earlier `year`)."""
        year = year or self.year
        key = (indicator.code, year)
        if key not in self._figures:
            on = self.as_of if year == self.year else min(self.as_of, date(year, 12, 31))
            pool = self.peers or [self.region]
            for found in region_figures(indicator, pool, year, on, user=self.user):
                if found.region.code == self.region.code:
                    self._figures[key] = found
            if key not in self._figures:  # the region is not among its peers (a root without siblings)
                self._figures[key] = region_figures(indicator, [self.region], year, on, user=self.user)[0]
        return self._figures[key]

    def child_figures(self, indicator: Indicator) -> list[RegionFigure]:
        key = (indicator.code, self.year)
        if key not in self._children:
            self._children[key] = region_figures(indicator, self.children, self.year, self.as_of, user=self.user) \
                if self.children else []
        return self._children[key]


SectionBuilder = Callable[[ReportContext], Section | None]
_sections: dict[str, tuple[int, SectionBuilder]] = {}


def register_section(key: str, order: int) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register `build(ctx) -> Section | None` as a section of the annual summary, placed by `order`."""

    def decorate(build: SectionBuilder) -> SectionBuilder:
        _sections[key] = (order, build)
        return build

    return decorate


def registered_sections() -> list[tuple[str, SectionBuilder]]:
    return [(key, build) for key, (_order, build) in sorted(_sections.items(), key=lambda kv: (kv[1][0], kv[0]))]


def check_request(region: Region, year: int, as_of: date, user: Any) -> None:
    """Refuse (ReportError / PermissionDenied) what no report can be made for."""
    today = timezone.localdate()
    if as_of > today:
        raise ReportError(f"数据截至日期 {as_of} 晚于今天，数据尚不存在。")
    if as_of < date(year, 1, 1):
        raise ReportError(f"数据截至日期 {as_of} 早于 {year} 年，无法生成该年报告。")
    if user is not None:
        from kechuang.core.permissions import region_in_scope
        from kechuang.indicators.models import IndicatorValue

        if not region_in_scope(user, IndicatorValue, region, "view"):
            raise PermissionDenied(f"区域“{region.name}”不在您的管辖范围内。")
    rows = values_for(user).in_subtree(region.code, region.significant_digits).filter(year=year, as_of__lte=as_of)
    if not rows.exists():
        raise ReportError(f"{region.name}{year}年截至 {as_of} 没有任何指标数据，无法生成报告。"
                          "请先计算或导入该年指标（kechuang indicators compute）。")


def build_annual_report(region: Region, year: int, *, as_of: date | None = None, user: Any = None) -> Report:
    """Build the annual work summary's content for `region` and `year`, from the data known on `as_of`."""
    as_of = as_of or min(timezone.localdate(), date(year, 12, 31))
    check_request(region, year, as_of, user)
    book = Phrasebook.for_region(region)
    peers = list(Region.objects.children_of(region.parent_id).filter(level=region.level).order_by("code")) \
        if region.parent_id else [region]
    children = list(Region.objects.children_of(region.code).filter(kind="administrative").order_by("code"))
    ctx = ReportContext(region, year, as_of, user, book, peers, children)
    report = Report(title=book.say("report_title", region=region.name, year=year, next_year=year + 1),
                    region=region.code, region_name=region.name, year=year, as_of=as_of.isoformat())
    for _key, build in registered_sections():
        section = build(ctx)
        if section is not None and section.blocks:
            report.sections.append(section)
    from kechuang.reports.sections import appendix_tables

    report.appendix = appendix_tables(ctx)
    report.warnings = ctx.warnings
    return report
