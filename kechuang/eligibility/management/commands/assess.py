"""`kechuang assess PROGRAMME --input FACTS.json [--as-of YYYY-MM-DD] [--json]`: assess facts against a programme.

Prints the assessment (with --json: one object with the keys programme, rules_version, as_of, eligible, score,
points, checks, shortfalls, …). Exit 0 when assessed (whatever the verdict), 2 for bad input — unknown
programme, unreadable or ill-typed facts, a date before the first rule version — with the field named.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.eligibility.engine.facts import FactError
from kechuang.eligibility.engine.programme import BAD_INPUT, assess
from kechuang.eligibility.engine.text import describe


class Command(BaseCommand):
    help = "按评价项目的规则评估一组事实（JSON），输出是否符合、得分、各项条件与差距。"

    def add_arguments(self, parser):
        parser.add_argument("programme", help="评价项目代码，如 tech_sme、hnte、sme_size、rd_deduction")
        parser.add_argument("--input", required=True, help="事实 JSON 文件（- 表示标准输入）")
        parser.add_argument("--as-of", dest="as_of", help="评估日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        try:
            facts = _read_facts(options["input"])
            as_of = _as_of(options["as_of"])
            result = assess(facts, options["programme"], as_of)
        except BAD_INPUT as exc:
            raise CommandError(_message(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(describe(result))


def _read_facts(source: str) -> dict:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise FactError("input", f"无法读取事实文件：{exc.strerror or exc}") from None
    try:
        facts = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FactError("input", f"事实文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）。") from None
    if not isinstance(facts, dict):
        raise FactError("input", "事实文件应为一个 JSON 对象（名称 → 数值）。")
    return facts


def _as_of(text: str | None) -> datetime.date:
    if not text:
        return datetime.date.today()
    try:
        as_of = datetime.date.fromisoformat(text)
    except ValueError:
        raise FactError("as_of", f"日期“{text}”无效，应为 YYYY-MM-DD。") from None
    if as_of > datetime.date.today():
        raise FactError("as_of", "评估日期不能晚于今天。")
    return as_of


def _message(exc: Exception) -> str:
    if isinstance(exc, FactError):
        return f"输入有误（{exc.field}）：{exc.message}"
    return f"输入有误：{exc}"
