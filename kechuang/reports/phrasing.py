"""Sentences (句式): each number phrased correctly for rises, falls, ties, first and last place and missing data,
from templates a bureau may rewrite (data/sentences.yaml, overridden by `SentenceTemplate` rows). The functions
here are pure: they take figures already read and return text plus the `Figure`s it quotes."""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from kechuang.indicators.derive import Change, Rank
from kechuang.indicators.figures import RegionFigure
from kechuang.indicators.periods import period_label
from kechuang.reports import numbers
from kechuang.reports.content import MISSING, Figure

DEFAULTS = Path(__file__).parent / "data" / "sentences.yaml"
PEERS = {"province": "全国各省（区、市）", "city": "全省各设区市", "county": "全市各区（县）",
         "township": "全区（县）各街道（镇）", "village": "各村（社区）"}


@functools.cache
def default_templates() -> dict[str, dict[str, str]]:
    return yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))["templates"]


def placeholders(text: str) -> set[str]:
    return {name for _l, name, _f, _c in string.Formatter().parse(text) if name}


class TemplateError(ValueError):
    """A template that uses a placeholder its sentence does not have."""


def check_template(key: str, text: str) -> None:
    """Refuse a bureau's template that names a placeholder the default does not offer (it would fail later)."""
    allowed = placeholders(default_templates()[key]["text"])
    unknown = placeholders(text) - allowed
    if unknown:
        raise TemplateError(f"模板“{default_templates()[key]['label']}”中的占位符 {{{'}、{'.join(sorted(unknown))}}} "
                            f"不可用；可用：{'、'.join('{' + p + '}' for p in sorted(allowed)) or '无'}。")


@dataclass
class Phrasebook:
    """The templates in force for one report (defaults overridden by the bureau's own)."""

    texts: dict[str, str]

    @classmethod
    def for_region(cls, region: Any) -> Phrasebook:
        texts = {key: entry["text"] for key, entry in default_templates().items()}
        if region is not None:
            from kechuang.reports.models import SentenceTemplate

            codes = [a.code for a in region.ancestors()] + [region.code]
            rows = SentenceTemplate.objects.filter(region_id__in=codes).values_list("region_id", "key", "text")
            for _code, key, text in sorted(rows, key=lambda row: codes.index(row[0])):
                texts[key] = text  # nearer regions come later and win
        return cls(texts)

    def say(self, key: str, **values: Any) -> str:
        return self.texts[key].format_map(values)


def source_of(figure: RegionFigure) -> str:
    stored = figure.stored
    if stored is None:
        return f"{figure.indicator.name} · {figure.region.name} · {period_label(figure.year)} · 无数据"
    from kechuang.indicators.choices import ValueOrigin

    origin = ValueOrigin(stored.origin).label
    frozen = "，正式上报数" if stored.frozen else ""
    return (f"{figure.indicator.name} · {figure.region.name} · {period_label(figure.year, stored.period)} · "
            f"{origin}{frozen}，数据截至 {stored.as_of.isoformat()}")


def _figure(figure: RegionFigure, value: Decimal | None, text: str, kind: str) -> Figure:
    return Figure(indicator=figure.indicator.code, region=figure.region.code, year=figure.year,
                  period=figure.stored.period if figure.stored else "",
                  value=None if value is None else f"{value}", text=text, source=source_of(figure), kind=kind)


def change_text(book: Phrasebook, change: Change) -> str:
    if change.kind == "rate":
        key = {1: "change_rise", -1: "change_fall", 0: "change_flat"}[change.direction]
        return book.say(key, rate=numbers.rate(change.value))
    if change.kind == "points":
        key = {1: "points_rise", -1: "points_fall", 0: "points_flat"}[change.direction]
        return book.say(key, points=numbers.points(change.value))
    if change.reason.startswith("本期"):
        return ""
    return book.say("change_unknown", reason=change.reason)


def rank_text(book: Phrasebook, rank: Rank | None, peers: str) -> str:
    """"居全市各区（县）首位" / "并列…第2位" / "…末位"; nothing when fewer than two peers have the figure."""
    if rank is None or rank.of < 2:
        return ""
    if rank.position == 1:
        return book.say("rank_first_tied" if rank.tied else "rank_first", peers=peers)
    if rank.tied:
        return book.say("rank_tied", peers=peers, position=rank.position)
    if rank.position == rank.of:
        return book.say("rank_last", peers=peers)
    return book.say("rank_other", peers=peers, position=rank.position)


def target_text(book: Phrasebook, figure: RegionFigure) -> str:
    """"完成年度目标的96.7%" / "超额完成…" / "…低于序时进度3.28个百分点" (during the year only)."""
    progress = figure.progress
    if progress.completion is None:
        return ""
    completion = numbers.percent(progress.completion)
    if progress.completion >= progress.schedule:
        exceeded = progress.completion > 1 and progress.schedule >= 1
        return book.say("target_exceeded" if exceeded else "target_met", completion=completion)
    if progress.schedule >= 1:
        return book.say("target_missed", completion=completion)
    gap = numbers.points((progress.schedule - progress.completion) * 100)
    return book.say("target_behind", completion=completion, gap=gap)


def indicator_line(book: Phrasebook, figure: RegionFigure, peers: str) -> tuple[str, list[Figure]]:
    """One key indicator in one sentence, with the figures it quotes."""
    indicator = figure.indicator
    if figure.value is None:
        return (book.say("indicator_missing", name=indicator.name, missing=MISSING),
                [_figure(figure, None, MISSING, "value")])
    value_text = numbers.quantity(figure.value, indicator.unit, indicator.decimals)
    quoted = [_figure(figure, figure.value, value_text, "value")]
    change = change_text(book, figure.change)
    if figure.change.value is not None:
        change_figure = (numbers.points(figure.change.value) if figure.change.kind == "points"
                         else numbers.rate(figure.change.value))
        quoted.append(_figure(figure, figure.change.value, change_figure, "change"))
    target = target_text(book, figure)
    if target:
        quoted.append(_figure(figure, figure.progress.completion, numbers.percent(figure.progress.completion),
                              "completion"))
    rank = rank_text(book, figure.rank, peers)
    if rank:
        quoted.append(_figure(figure, Decimal(figure.rank.position), str(figure.rank.position), "rank"))
    text = book.say("indicator_line", name=indicator.name, value=value_text, change=change, target=target,
                    rank=rank)
    return text, quoted
