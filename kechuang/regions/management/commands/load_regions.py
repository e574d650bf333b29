"""`kechuang load_regions`: load the national province/city/county list, and optionally a city's streets."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.regions.services import NATIONAL_FILE, load_regions, read_region_file, street_file


class Command(BaseCommand):
    help = "导入全国省、市、县三级行政区划（可选：某市的乡镇街道）。"

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=NATIONAL_FILE, help="区划数据文件（CSV）")
        parser.add_argument("--streets", metavar="CITY", action="append", default=[],
                            help="同时导入该市（4 位代码，如 3201）的乡镇街道")

    def handle(self, *args, **options):
        files = [options["file"]] + [street_file(city) for city in options["streets"]]
        for path in files:
            if not path.exists():
                raise CommandError(f"找不到区划数据文件：{path}")
            counts = load_regions(read_region_file(path), actor=None, source=path.name)
            self.stdout.write(f"{path.name}: 新增 {counts['created']}，更新 {counts['updated']}，"
                              f"未变 {counts['unchanged']}")
