"""`kechuang import KIND FILE [--dry-run] [--json]`: import an Excel workbook all-or-nothing.

KIND: enterprises, annual, ip, qualifications, hnte_list. With --json, print one object
{"created", "updated", "unchanged", "errors": [{"row", "column", "message"}]}; exit 0 without errors, else 1
(and then nothing was written).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.accounts.models import User
from kechuang.core.imports.pipeline import RowError, run_import
from kechuang.core.imports.report import error_workbook, format_errors
from kechuang.core.imports.safety import ImportRejected
from kechuang.enterprises.imports import SCHEMAS


class Command(BaseCommand):
    help = "从 Excel 导入企业库数据（全部成功才写入；有错误时逐行报告且不写入任何数据）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(SCHEMAS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument("--user", help="以该用户身份导入（记入变更日志）")
        parser.add_argument("--error-report", type=Path, help="有错误时，把带“错误说明”列的工作簿写到此文件")

    def handle(self, *args, **options):
        if not options["file"].exists():
            raise CommandError(f"找不到文件：{options['file']}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户“{options['user']}”不存在。")
        schema = SCHEMAS[options["kind"]]
        try:
            result = run_import(schema, options["file"], actor=actor, dry_run=options["dry_run"],
                                filename=options["file"].name)
            errors = result.errors
            counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        except ImportRejected as exc:
            errors, counts = [RowError(0, "", exc.message)], {"created": 0, "updated": 0, "unchanged": 0}
            result = None
        if errors and options["error_report"] and result is not None and result.sheet is not None:
            options["error_report"].write_bytes(
                error_workbook(result.sheet.rows, result.sheet.header, errors))
        self._print(counts, errors, options)
        if errors:
            raise CommandError(f"{len(errors)} 处错误，未写入任何数据。", returncode=1)

    def _print(self, counts, errors, options):
        if options["json"]:
            payload = {**counts, "errors": [{"row": e.row, "column": e.column, "message": e.message}
                                            for e in errors]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        mode = "（试运行，未写入）" if options["dry_run"] else ""
        self.stdout.write(f"新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}{mode}")
        for line in format_errors(errors):
            self.stdout.write(line)
