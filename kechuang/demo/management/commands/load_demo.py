"""`kechuang load_demo --scale small|city|province --seed N`: the deterministic demo dataset."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kechuang.core.context import acting_as
from kechuang.demo.registry import SCALES, DemoContext, step_rng, steps
from kechuang.demo.steps import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "载入演示数据（示范城市的区划、各角色演示账号，以及各模块注册的演示记录）。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="small", help="数据规模：small、city 或 province")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有区划时不做任何事")

    def handle(self, *args, **options):
        if not settings.KECHUANG_DEMO_ALLOWED:
            raise CommandError("生产环境不允许载入演示数据。")
        from kechuang.regions.models import Region

        if options["if_empty"] and Region.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据。")
            self._print_logins()
            return
        for step in steps():
            self.stdout.write(f"[{step.name}]")
            ctx = DemoContext(scale=options["scale"], seed=options["seed"],
                              rng=step_rng(options["seed"], step.name), write=self.stdout.write)
            with transaction.atomic(), acting_as(None, channel="demo"):
                step.run(ctx)
        self.stdout.write(self.style.SUCCESS("演示数据已载入。"))
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, scope in demo_logins():
            self.stdout.write(f"  {username:<18} {role:<14} {scope}")
