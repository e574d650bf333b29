"""`kechuang check_uscc CODE...`: one line per code — the code, `valid` or `invalid`, and for an invalid code
the expected check character (or the reason when no check character can be computed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.uscc import CHARSET, normalize_uscc, uscc_check_char, uscc_problem


class Command(BaseCommand):
    help = "校验统一社会信用代码（GB 32100-2015，含 GB 11714 组织机构代码校验码）。有无效代码时退出码为 1。"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="+", metavar="CODE")

    def handle(self, *args, **options):
        invalid = 0
        for raw in options["codes"]:
            code = normalize_uscc(raw)
            problem = uscc_problem(code)
            if problem is None:
                self.stdout.write(f"{code} valid")
                continue
            invalid += 1
            if len(code) == 18 and all(c in CHARSET for c in code[:17]):
                expected = problem.expected if problem.position == 17 else uscc_check_char(code[:17])
                self.stdout.write(f"{code} invalid expected {expected} ({problem.message})")
            else:
                self.stdout.write(f"{code} invalid ({problem.message})")
        if invalid:
            raise CommandError(f"{invalid} 个代码无效。", returncode=1)
