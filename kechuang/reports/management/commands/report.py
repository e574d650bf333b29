"""`kechuang report annual|workbook` — the annual work summary (.docx) and the statistical workbook (.xlsx).

- ``annual --region CODE --year Y [--as-of YYYY-MM-DD] --out FILE.docx``, or ``--json`` to print the built
  content (sections, paragraphs with their figures and sources) instead of rendering;
- ``workbook --region CODE --year Y [--as-of YYYY-MM-DD] --out FILE.xlsx``.
Each generated file is recorded (生成记录) with its content hash. Exit 2 with a Chinese message for a region that
does not exist, a year without data, an as-of date in the future — and no file is written.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.regions.models import Region, normalize_region_code
from kechuang.reports import services
from kechuang.reports.builder import ReportError, build_annual_report, check_request


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "生成年度工作总结（Word）或统计工作簿（Excel）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        for name, help_text in (("annual", "年度工作总结（.docx）"), ("workbook", "统计工作簿（.xlsx）")):
            sub = actions.add_parser(name, help=help_text)
            sub.add_argument("--region", required=True, help="区划代码（2/4/6/9/12 位）")
            sub.add_argument("--year", type=int, required=True)
            sub.add_argument("--as-of", dest="as_of", help="数据截至 YYYY-MM-DD（默认该年 12 月 31 日，不晚于今天）")
            sub.add_argument("--out", type=Path, help="输出文件")
            if name == "annual":
                sub.add_argument("--json", action="store_true", help="输出报告内容（JSON），不生成 Word")

    def handle(self, *args, **options):
        region, year, as_of = self._inputs(options)
        if options["action"] == "annual":
            self._annual(region, year, as_of, options)
        else:
            self._workbook(region, year, as_of, options)

    def _inputs(self, options: dict[str, Any]) -> tuple[Region, int, datetime.date]:
        try:
            region = Region.objects.filter(code=normalize_region_code(options["region"])).first()
        except ValueError as error:
            raise _bad(f"--region：{error}") from None
        if region is None:
            raise _bad(f"--region：区划代码“{options['region']}”不存在。")
        year = options["year"]
        today = datetime.date.today()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                raise _bad(f"--as-of：日期“{options['as_of']}”无效，应为 YYYY-MM-DD。") from None
        else:
            as_of = min(today, datetime.date(year, 12, 31))
        try:
            check_request(region, year, as_of, None)
        except ReportError as error:
            raise _bad(str(error)) from None
        if not options.get("json") and not options["out"]:
            raise _bad("--out：请指定输出文件。")
        return region, year, as_of

    def _annual(self, region: Region, year: int, as_of: datetime.date, options: dict[str, Any]) -> None:
        report = build_annual_report(region, year, as_of=as_of)
        if options["json"]:
            self.stdout.write(json.dumps({**report.to_json(), "content_hash": report.content_hash()},
                                         ensure_ascii=False, indent=2))
            return
        content, document = services.annual_docx(report, actor=None, channel="cli")
        options["out"].write_bytes(content)
        self.stdout.write(f"已生成 {options['out']}（{len(content):,} 字节，内容摘要 {document.content_hash[:12]}）")
        for warning in report.warnings:
            self.stderr.write(f"提示：{warning}")

    def _workbook(self, region: Region, year: int, as_of: datetime.date, options: dict[str, Any]) -> None:
        content, document = services.workbook_xlsx(region, year, as_of=as_of, actor=None, user=None, channel="cli")
        options["out"].write_bytes(content)
        self.stdout.write(f"已生成 {options['out']}（{len(content):,} 字节，内容摘要 {document.content_hash[:12]}）")
