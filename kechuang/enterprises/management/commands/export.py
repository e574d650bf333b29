"""`kechuang export KIND --out FILE [--region CODE] [--year Y] [--user U]`: the registry as the import template."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.accounts.models import User
from kechuang.audit.changelog import record_event
from kechuang.core.context import acting_as
from kechuang.enterprises.exports import SPECS, export_queryset, write_export


class Command(BaseCommand):
    help = "把企业库数据导出为与导入模板相同格式的 Excel（导出后再导入，结果为“未变”）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(SPECS))
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--region", help="区划代码前缀（2/4/6/9 位）或 12 位代码")
        parser.add_argument("--year", type=int)
        parser.add_argument("--user", help="按该用户的管辖范围导出（不指定时导出全部，仅限管理命令）")

    def handle(self, *args, **options):
        kind = options["kind"]
        queryset = SPECS[kind].model.objects.all()
        actor = None
        if options["user"]:
            actor = User.objects.filter(username__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户“{options['user']}”不存在。")
            queryset = SPECS[kind].model.objects.restrict(actor, "export")
        region = (options["region"] or "").strip()
        if region and (not region.isdigit() or len(region) > 12):
            raise CommandError("--region 应为区划代码（数字，最多 12 位）。")
        if len(region) == 12:
            from kechuang.regions.models import Region

            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"区划代码 {region} 不存在。")
            region = found.prefix
        try:
            queryset = export_queryset(kind, queryset, region=region or None, year=options["year"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        count = write_export(kind, queryset, options["out"])
        with acting_as(actor, channel="command"):
            record_event("export", message=f"导出 {kind}", data={"kind": kind, "rows": count,
                                                                  "region": region, "year": options["year"]})
        self.stdout.write(f"已导出 {count} 行到 {options['out']}")
