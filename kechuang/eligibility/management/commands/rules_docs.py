"""`kechuang rules_docs [--check]`: write docs/rules/<programme>.md from the programmes' declarations."""

from django.core.management.base import BaseCommand, CommandError

from kechuang.eligibility.engine.docs import stale, write_all


class Command(BaseCommand):
    help = "根据各评价项目的事实声明与参数文件生成 docs/rules/*.md（--check 只检查是否过期）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查，不写入；过期时退出码 1")

    def handle(self, *args, **options):
        if options["check"]:
            outdated = stale()
            if outdated:
                raise CommandError(f"规则文档已过期：{'、'.join(outdated)}。请运行 kechuang rules_docs。", returncode=1)
            self.stdout.write("规则文档是最新的。")
            return
        for path in write_all():
            self.stdout.write(f"已写入 {path}")
