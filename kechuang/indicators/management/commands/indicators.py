"""`kechuang indicators compute|redblack|sync` — the indicator module on the command line.

- ``compute --year Y [--period P] [--region CODE] [--as-of YYYY-MM-DD] [--json]``: compute every computed
  indicator, then every derived one, for the regions of CODE (default: every province with enterprises) and
  store them (frozen figures are kept); prints the counts, or with ``--json`` the stored figures of CODE.
- ``redblack --scheme CODE | --indicator CODE --year Y --as-of YYYY-MM-DD [--region CODE] [--level L]
  [--json] [--publish --title T]``: print the ranked list with completion, schedule, status and band; with
  ``--publish`` store it as a frozen list.
- ``sync``: load the shipped catalogue (data/catalogue.yaml) into the database.
Exit 2 with a Chinese message for bad input (unknown code, a date in the future, a malformed period).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kechuang.indicators.figures import region_figures
from kechuang.indicators.models import AssessmentScheme, Indicator
from kechuang.indicators.periods import validate_period
from kechuang.indicators.redblack import build_list, publish_list
from kechuang.indicators.serialize import figure_json, line_json
from kechuang.indicators.services import compute_indicators, regions_to_compute, sync_catalogue
from kechuang.regions.models import Region, normalize_region_code


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _date(text: str | None, *, name: str = "--as-of") -> datetime.date | None:
    if not text:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise _bad(f"{name}：日期“{text}”无效，应为 YYYY-MM-DD。") from None
    if day > timezone.localdate():
        raise _bad(f"{name}：日期 {day} 晚于今天，数据尚不存在。")
    return day


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    try:
        region = Region.objects.filter(code=normalize_region_code(code)).first()
    except ValueError as error:
        raise _bad(f"--region：{error}") from None
    if region is None:
        raise _bad(f"--region：区划代码“{code}”不存在。")
    return region


class Command(BaseCommand):
    help = "指标考核：计算指标（compute）、生成红黑榜（redblack）、同步指标目录（sync）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        compute = actions.add_parser("compute", help="计算平台计算指标和派生指标并保存")
        compute.add_argument("--year", type=int, required=True)
        compute.add_argument("--period", default="", help="空为全年；Q1—Q4；M01—M12")
        compute.add_argument("--region", help="区划代码；默认为有企业的全部省份")
        compute.add_argument("--as-of", dest="as_of", help="数据日期 YYYY-MM-DD（默认今天）")
        compute.add_argument("--json", action="store_true", help="以 JSON 输出该区域的各指标数值")
        redblack = actions.add_parser("redblack", help="按考核办法或单项指标排名")
        redblack.add_argument("--scheme")
        redblack.add_argument("--indicator")
        redblack.add_argument("--year", type=int)
        redblack.add_argument("--as-of", dest="as_of", required=True)
        redblack.add_argument("--region", help="考核主体（按单项指标时必填；按考核办法时默认为其考核主体）")
        redblack.add_argument("--level", choices=("city", "county", "township"), help="对该层级的全部区域排名")
        redblack.add_argument("--json", action="store_true")
        redblack.add_argument("--publish", action="store_true", help="发布并冻结")
        redblack.add_argument("--title", default="")
        actions.add_parser("sync", help="同步内置指标目录")

    def handle(self, *args, **options):
        return getattr(self, f"handle_{options['action']}")(options)

    def handle_sync(self, options: dict[str, Any]) -> None:
        counts = sync_catalogue(actor=None)
        self.stdout.write(f"指标目录：新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}")

    def handle_compute(self, options: dict[str, Any]) -> None:
        try:
            period = validate_period(options["period"])
        except ValueError as error:
            raise _bad(f"--period：{error}") from None
        region = _region(options["region"])
        as_of = _date(options["as_of"])
        year = options["year"]
        if year > timezone.localdate().year:
            raise _bad(f"--year：{year} 年尚未开始，没有数据。")
        try:
            summary = compute_indicators(year=year, period=period, region_code=region.code if region else None,
                                         as_of=as_of)
        except ValueError as error:
            raise _bad(str(error)) from None
        if not options["json"]:
            self.stdout.write(f"已计算 {len(summary.indicators)} 个指标 × {summary.regions} 个区域"
                              f"（数据日期 {summary.as_of}）：新增 {summary.created}，更新 {summary.updated}，"
                              f"未变 {summary.unchanged}，删除 {summary.deleted}，保留已冻结 {summary.frozen_kept}")
            return
        places = [region] if region else [r for r in regions_to_compute(None) if r.level == "province"]
        figures = []
        for indicator in Indicator.objects.filter(code__in=summary.indicators):
            figures += [figure_json(f) for f in region_figures(indicator, places, year, summary.as_of)]
        self.stdout.write(json.dumps({"summary": summary.as_dict(), "figures": figures}, ensure_ascii=False,
                                     indent=2))

    def handle_redblack(self, options: dict[str, Any]) -> None:
        if bool(options["scheme"]) == bool(options["indicator"]):
            raise _bad("请指定 --scheme 或 --indicator 之一。")
        as_of = _date(options["as_of"])
        scheme = indicator = None
        if options["scheme"]:
            scheme = AssessmentScheme.objects.filter(code=options["scheme"]).first()
            if scheme is None:
                raise _bad(f"--scheme：考核办法“{options['scheme']}”不存在。")
        else:
            indicator = Indicator.objects.filter(code=options["indicator"]).first()
            if indicator is None:
                raise _bad(f"--indicator：指标“{options['indicator']}”不存在。")
            if not options["year"]:
                raise _bad("--year：按单项指标排名须指定年度。")
            if not options["region"]:
                raise _bad("--region：按单项指标排名须指定考核主体区域。")
        region = _region(options["region"]) or (scheme.region if scheme else None)
        year = scheme.year if scheme else options["year"]
        lines = build_list(year=year, as_of=as_of, scheme=scheme, indicator=indicator, region=region,
                           level=options["level"])
        if options["publish"]:
            title = options["title"] or f"{year}年{region.name}{(scheme or indicator).name}红黑榜"
            try:
                published = publish_list(title=title, lines=lines, year=year, as_of=as_of, region=region,
                                         scheme=scheme, indicator=indicator, actor=None)
            except ValidationError as error:
                raise _bad("；".join(error.messages)) from None
            self.stderr.write(f"已发布并冻结：{published.title}（编号 {published.pk}）")
        if options["json"]:
            self.stdout.write(json.dumps({"region": region.code, "year": year, "as_of": as_of.isoformat(),
                                          "lines": [line_json(x) for x in lines]}, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{year}年 {region.name} · {(scheme or indicator).name}（截至 {as_of}）")
        for line in lines:
            rank = f"{'并列' if line.tied else ''}{line.position}" if line.position else "—"
            completion = f"{line.completion * 100:.1f}%" if line.completion is not None else "暂缺"
            schedule = f"{line.schedule * 100:.1f}%" if line.schedule is not None else "—"
            score = f"{line.score:.2f}" if line.score is not None else "—"
            self.stdout.write(f"{rank:>6}  {line.region.name:<12} 得分 {score:>8}  完成率 {completion:>7}  "
                              f"序时进度 {schedule:>7}  {line.status_label}  {line.band_label}")
