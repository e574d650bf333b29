"""`kechuang screen PROGRAMME --year Y [--region CODE] [--as-of YYYY-MM-DD] [--user NAME] --out FILE.xlsx`.

Batch screening (批量筛选) of one programme for data year Y over a region subtree: saves the run (with its rules
version and the facts used) and writes its entries to an .xlsx file. Without ``--region`` the region is the
smallest one holding every enterprise; without ``--user`` every enterprise of the region is screened, with it
only those the user may view. Exit 0 when screened, 2 for bad input (unknown programme, a year in the future or
before 2016, a date before the first rule version, an unknown region or user) — with the field named and
nothing saved.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.eligibility.engine.programme import BAD_INPUT, RulesNotInForce, UnknownProgramme
from kechuang.eligibility.exports import screening_workbook
from kechuang.eligibility.screening import CATEGORY_ORDER, ScreeningError
from kechuang.eligibility.services import run_screening

LABELS = {"candidate": "可申报", "reserve": "后备库", "at_risk": "风险", "holder": "持有且符合",
          "undetermined": "待定", "other": "其他"}


class Command(BaseCommand):
    help = "按评价项目批量筛选某区域某数据年度的企业（可申报、后备库、风险），保存筛选批次并导出 Excel。"

    def add_arguments(self, parser):
        parser.add_argument("programme", help="评价项目代码，如 tech_sme、hnte")
        parser.add_argument("--year", type=int, required=True, help="数据年度（申报年度的上一会计年度）")
        parser.add_argument("--region", help="区划代码（2/4/6/9/12 位）；默认为包含全部企业的最小区域")
        parser.add_argument("--as-of", dest="as_of", help="评估日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--user", help="按该用户的查看范围筛选（不指定时筛选区域内全部企业）")
        parser.add_argument("--out", type=Path, required=True, help="导出的 Excel 文件（.xlsx）")

    def handle(self, *args, **options):
        try:
            as_of = _as_of(options["as_of"])
            actor = _user(options["user"])
            region = options["region"] or _smallest_region()
            run = run_screening(options["programme"], region=region, year=options["year"], as_of=as_of,
                                actor=actor)
        except (*BAD_INPUT, ScreeningError) as exc:
            raise CommandError(_message(exc), returncode=2) from None
        content, rows = screening_workbook(run)
        options["out"].write_bytes(content)
        counts = "，".join(f"{LABELS[c]} {run.counts.get(c, 0)}" for c in CATEGORY_ORDER)
        self.stdout.write(f"筛选批次 {run.pk}（{run.rules_version}）：{run.enterprise_count} 家企业；{counts}")
        self.stdout.write(f"已导出 {rows} 行到 {options['out']}")


def _as_of(text: str | None) -> datetime.date:
    if not text:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ScreeningError("as_of", f"日期“{text}”无效，应为 YYYY-MM-DD。") from None


def _user(username: str | None):
    if not username:
        return None
    from kechuang.accounts.models import User

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise ScreeningError("user", f"用户“{username}”不存在。")
    return user


def _smallest_region() -> str:
    """Return the code of the smallest region whose subtree holds every enterprise (by the common code prefix)."""
    from django.db.models import Max, Min

    from kechuang.enterprises.models import Enterprise

    span = Enterprise.objects.aggregate(low=Min("region_id"), high=Max("region_id"))
    if span["low"] is None:
        raise ScreeningError("region", "企业库中没有企业，请用 --region 指定区域。")
    for digits in (12, 9, 6, 4, 2):
        if span["low"][:digits] == span["high"][:digits]:
            return span["low"][:digits]
    raise ScreeningError("region", "企业分布在多个省份，请用 --region 指定区域。")


def _message(exc: Exception) -> str:
    field = getattr(exc, "field", None)
    if field:
        return f"输入有误（{field}）：{getattr(exc, 'message', exc)}"
    if isinstance(exc, UnknownProgramme):
        return f"输入有误（programme）：{exc}"
    if isinstance(exc, RulesNotInForce):
        return f"输入有误（as_of）：{exc}"
    return f"输入有误：{exc}"
