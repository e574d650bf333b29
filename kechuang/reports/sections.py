"""The built-in sections of the annual summary: 主要指标完成情况, 科技企业梯队培育, 存在问题, 明年工作目标, and
the appendix of statistical tables. Each reads through the ReportContext (stored figures known on the as-of date,
restricted to the reader) and phrases through the bureau's templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kechuang.indicators.models import Indicator, Target
from kechuang.indicators.periods import ANNUAL
from kechuang.reports import numbers
from kechuang.reports.builder import ReportContext, register_section
from kechuang.reports.content import MISSING, Chart, Figure, Paragraph, Section, Table
from kechuang.reports.phrasing import change_text, indicator_line, source_of

TREND_YEARS = 5
MAX_BARS = 15


def key_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(is_key=True, is_active=True))


@register_section("indicators", order=10)
def main_indicators(ctx: ReportContext) -> Section:
    """一、主要指标完成情况: one sentence per key indicator, a trend chart and a comparison of the regions below."""
    section = Section("indicators", "主要指标完成情况")
    for indicator in key_indicators():
        figure = ctx.figure(indicator)
        text, quoted = indicator_line(ctx.book, figure, ctx.peers_label)
        section.blocks.append(Paragraph(f"indicators.{indicator.code}", text, quoted))
        if figure.value is None:
            ctx.warnings.append(f"“{indicator.name}”{ctx.year}年数据暂缺。")
    trend_indicator = next((i for i in key_indicators() if i.code == "rd_intensity"), None)
    if trend_indicator is not None:
        years = list(range(ctx.year - TREND_YEARS + 1, ctx.year + 1))
        values = [ctx.figure(trend_indicator, year).value for year in years]
        if any(v is not None for v in values):
            section.blocks.append(Chart("indicators.trend", f"{ctx.region.name}{trend_indicator.name}（{years[0]}—"
                                        f"{years[-1]}年）", "trend", [str(y) for y in years],
                                        [{"name": trend_indicator.name,
                                          "values": [None if v is None else float(v) for v in values]}],
                                        trend_indicator.unit))
    compare = next((i for i in key_indicators() if i.code == "hnte_total"), None)
    if compare is not None and ctx.children:
        rows = [f for f in ctx.child_figures(compare) if f.value is not None]
        if len(rows) > MAX_BARS:  # a county-level province chart would be unreadable: the largest, in code order
            keep = {f.region.code for f in sorted(rows, key=lambda f: f.value, reverse=True)[:MAX_BARS]}
            rows = [f for f in rows if f.region.code in keep]
        if rows:
            section.blocks.append(Chart("indicators.regions", f"{ctx.year}年各地区{compare.name}", "regions",
                                        [f.region.short_name or f.region.name for f in rows],
                                        [{"name": compare.name, "values": [float(f.value) for f in rows]}],
                                        compare.unit))
    return section


RUNG_CODES = ("tsme", "innovative_sme", "srdi", "little_giant", "gazelle", "potential_unicorn", "unicorn")


@register_section("ladder", order=20)
def enterprise_ladder(ctx: ReportContext) -> Section:
    """二、科技企业梯队培育: 高企 and 科小 from the indicators, the other rungs counted in the registry, 高企
    certificates expiring and renewed, and the candidate pool from the latest batch screening."""
    section = Section("ladder", "科技企业梯队培育")
    codes = {"hnte": "hnte_total", "hnte_new": "hnte_new", "tsme": "tsme_registered"}
    quoted, texts = [], {}
    for name, code in codes.items():
        indicator = Indicator.objects.filter(code=code).first()
        figure = ctx.figure(indicator) if indicator else None
        if figure is None or figure.value is None:
            texts[name] = MISSING
            continue
        texts[name] = numbers.quantity(figure.value, indicator.unit, 0)
        quoted.append(Figure(code, ctx.region.code, ctx.year, f"{figure.value}", texts[name], source_of(figure),
                             figure.stored.period, "value"))
        change = change_text(ctx.book, figure.change)
        if change and figure.change.value is not None:
            texts[name] += change
            quoted.append(Figure(code, ctx.region.code, ctx.year, f"{figure.change.value}",
                                 numbers.rate(figure.change.value), source_of(figure), figure.stored.period, "change"))
    text = ctx.book.say("ladder_intro", as_of=f"{ctx.as_of.year}年{ctx.as_of.month}月{ctx.as_of.day}日",
                        scope=_scope_word(ctx), hnte=texts["hnte"], hnte_new=texts["hnte_new"],
                        tsme=texts["tsme"])
    section.blocks.append(Paragraph("ladder.intro", text, quoted))
    rungs = _rung_counts(ctx)
    if rungs:
        parts = "；".join(f"{name}{count}家" for name, count in rungs)
        section.blocks.append(Paragraph("ladder.rungs", f"其他梯队：{parts}。", [
            Figure("", ctx.region.code, ctx.year, str(count), f"{count}家",
                   f"企业库资质记录 · {name} · {ctx.region.name} · {ctx.as_of.isoformat()} 有效", "", "count")
            for name, count in rungs]))
    expiring, renewed = _hnte_expiry(ctx)
    if expiring:
        lapsed = expiring - renewed
        section.blocks.append(Paragraph("ladder.expiry", ctx.book.say(
            "hnte_expiring", year=ctx.year, expiring=f"{expiring}家", renewed=f"{renewed}家", lapsed=f"{lapsed}家"),
            [Figure("", ctx.region.code, ctx.year, str(n), f"{n}家",
                    f"企业库资质记录 · 高新技术企业证书 · {label} · 截至 {ctx.as_of.isoformat()}", "", "count")
             for n, label in ((expiring, "本年到期"), (renewed, "已重新认定"), (lapsed, "未重新认定"))]))
        ctx.hnte_lapsed = lapsed
    section.blocks.extend(_candidate_pool(ctx))
    return section


def _scope_word(ctx: ReportContext) -> str:
    return {"province": "省", "city": "市", "county": "区", "township": "街道"}.get(ctx.region.level, "区域")


def _enterprises(ctx: ReportContext):
    from kechuang.enterprises.models import Qualification

    rows = Qualification.objects.all() if ctx.user is None else Qualification.objects.restrict(ctx.user, "view")
    return rows.in_region(ctx.region.code)


def _rung_counts(ctx: ReportContext) -> list[tuple[str, int]]:
    from django.db.models import Count

    rows = (_enterprises(ctx).valid_on(ctx.as_of).exclude(kind__code__in=("hnte", "tsme"))
            .values_list("kind__name", "kind__rung").annotate(n=Count("enterprise", distinct=True))
            .order_by("kind__rung", "kind__name"))
    return [(name, n) for name, _rung, n in rows if n]


def _hnte_expiry(ctx: ReportContext) -> tuple[int, int]:
    """高企 whose certificate ends in the year up to the as-of date, and how many of them were re-recognised
    (counted in the database: a province has tens of thousands of them)."""
    hnte = _enterprises(ctx).filter(kind__code="hnte")
    ending = hnte.filter(valid_to__gte=date(ctx.year, 1, 1), valid_to__lte=ctx.as_of).values("enterprise_id")
    expiring = ending.order_by().distinct().count()
    if not expiring:
        return 0, 0
    renewed = (hnte.filter(enterprise_id__in=ending, granted_on__gte=date(ctx.year - 1, 1, 1),
                           granted_on__lte=ctx.as_of, valid_to__gt=ctx.as_of)
               .values("enterprise_id").order_by().distinct().count())
    return expiring, renewed


def _candidate_pool(ctx: ReportContext) -> list[Paragraph]:
    from kechuang.eligibility.models import ScreeningRun

    paragraphs = []
    for programme, label in (("hnte", "高新技术企业"), ("tech_sme", "科技型中小企业")):
        runs = ScreeningRun.objects.filter(programme=programme, region_id=ctx.region.code, year__in=(
            ctx.year, ctx.year - 1), finished__isnull=False, as_of__lte=ctx.as_of)
        if ctx.user is not None:
            runs = runs.restrict(ctx.user, "view")
        run = runs.order_by("-as_of", "-id").first()
        if run is None:
            paragraphs.append(Paragraph(f"ladder.pool.{programme}", ctx.book.say("no_candidates", programme=label)))
            continue
        candidates, reserve = run.counts.get("candidate", 0), run.counts.get("reserve", 0)
        paragraphs.append(Paragraph(f"ladder.pool.{programme}", ctx.book.say(
            "candidate_pool", run_date=f"{run.as_of:%Y年%m月%d日}", programme=label, candidates=f"{candidates}家",
            reserve=f"{reserve}家"), [
            Figure("", ctx.region.code, run.year, str(n), f"{n}家", f"批量筛选第 {run.pk} 批 · {label} · {what}", "",
                   "count") for n, what in ((candidates, "可申报"), (reserve, "后备库"))]))
    return paragraphs


@register_section("problems", order=90)
def problems(ctx: ReportContext) -> Section:
    """存在问题: derived — key indicators behind schedule or target, falls, rank drops, lapsed 高企."""
    section = Section("problems", "存在问题")
    for indicator in key_indicators():
        figure = ctx.figure(indicator)
        if figure.value is None:
            continue
        progress = figure.progress
        if progress.completion is not None and progress.completion < progress.schedule:
            gap = numbers.points((progress.schedule - progress.completion) * 100)
            key = "problem_missed" if progress.schedule >= 1 else "problem_behind"
            section.blocks.append(Paragraph(f"problems.behind.{indicator.code}", ctx.book.say(
                key, name=indicator.name, completion=numbers.percent(progress.completion), gap=gap),
                [Figure(indicator.code, ctx.region.code, ctx.year, f"{progress.completion}",
                        numbers.percent(progress.completion), source_of(figure), figure.stored.period,
                        "completion")]))
        falling = figure.change.direction == (-1 if indicator.direction == "up" else 1)
        if falling:
            section.blocks.append(Paragraph(f"problems.fall.{indicator.code}", ctx.book.say(
                "problem_fall", name=indicator.name, change_text=change_text(ctx.book, figure.change).lstrip("，")),
                [Figure(indicator.code, ctx.region.code, ctx.year, f"{figure.change.value}",
                        numbers.points(figure.change.value) if figure.change.kind == "points"
                        else numbers.rate(figure.change.value), source_of(figure), figure.stored.period, "change")]))
        before = ctx.figure(indicator, ctx.year - 1)
        if figure.rank and before.rank and figure.rank.of >= 2 and figure.rank.position > before.rank.position:
            section.blocks.append(Paragraph(f"problems.rank.{indicator.code}", ctx.book.say(
                "problem_rank_drop", name=indicator.name, peers=ctx.peers_label, before=before.rank.position,
                after=figure.rank.position)))
    if ctx.hnte_lapsed:
        section.blocks.append(Paragraph("problems.lapsed", ctx.book.say("problem_lapsed",
                                                                        lapsed=f"{ctx.hnte_lapsed}家")))
    if not section.blocks:
        section.blocks.append(Paragraph("problems.none", ctx.book.say("no_problems")))
    return section


@register_section("next_year", order=95)
def next_year_targets(ctx: ReportContext) -> Section:
    """明年工作目标: the targets already set for next year."""
    section = Section("next_year", f"{ctx.year + 1}年工作目标")
    targets = Target.objects.filter(region=ctx.region, year=ctx.year + 1, period=ANNUAL).select_related("indicator")
    if ctx.user is not None:
        targets = targets.restrict(ctx.user, "view")
    for target in targets.order_by("indicator__position"):
        text = numbers.quantity(target.value, target.indicator.unit, target.indicator.decimals)
        section.blocks.append(Paragraph(f"next_year.{target.indicator.code}", ctx.book.say(
            "target_next", name=target.indicator.name, value=text), [Figure(
                target.indicator.code, ctx.region.code, ctx.year + 1, f"{target.value}", text,
                f"目标 · {target.indicator.name} · {ctx.region.name} · {ctx.year + 1}年", "", "target")]))
    if not section.blocks:
        section.blocks.append(Paragraph("next_year.none", ctx.book.say("no_targets", next_year=ctx.year + 1)))
    return section


def appendix_tables(ctx: ReportContext) -> list[Table]:
    """附件：统计表 — the key indicators of the region (last year, this year, change, target, rank), then the
    regions under it side by side."""
    indicators = key_indicators()
    rows = []
    for indicator in indicators:
        now, before = ctx.figure(indicator), ctx.figure(indicator, ctx.year - 1)
        change = now.change
        change_cell = ("—" if change.value is None else
                       f"{'+' if change.value > 0 else ''}{change.value}{'个百分点' if change.kind == 'points' else '%'}")
        rows.append([indicator.name, indicator.unit, _cell(before.value, indicator), _cell(now.value, indicator),
                     change_cell, _cell(now.progress.target, indicator),
                     numbers.percent(now.progress.completion) if now.progress.completion is not None else "—",
                     str(now.rank) if now.rank and now.rank.of >= 2 else "—"])
    tables = [Table("appendix.main", f"{ctx.region.name}{ctx.year}年主要科技指标",
                    ["指标", "单位", f"{ctx.year - 1}年", f"{ctx.year}年", "增速/变化", "目标", "完成率", "排名"], rows,
                    note=f"数据截至 {ctx.as_of.isoformat()}；“—”表示数据暂缺或不适用。")]
    if ctx.children:
        shown = indicators[:6]
        by_indicator = {i.code: {f.region.code: f for f in ctx.child_figures(i)} for i in shown}
        child_rows = [[child.name, *[_cell(by_indicator[i.code][child.code].value, i) for i in shown]]
                      for child in ctx.children]
        tables.append(Table("appendix.regions", f"{ctx.year}年各地区主要科技指标",
                            ["地区", *[f"{i.name}（{i.unit}）" for i in shown]], child_rows))
    return tables


def _cell(value: Decimal | None, indicator: Indicator) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-indicator.decimals)):,f}"
