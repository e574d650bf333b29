"""A screening run as an .xlsx workbook (筛选结果导出): one row per entry, category by category, best first.

Written with the shared export helper (``kechuang.core.export.write_xlsx``): every text — enterprise names and
the Chinese explanations included — is written as a string cell, so a name like ``=HYPERLINK(…)`` arrives in
Excel/WPS as text, never as a live formula (SECURITY.md F8).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Case, Value, When

from kechuang.core.export import write_xlsx
from kechuang.eligibility.engine.programme import UnknownProgramme, get_programme
from kechuang.eligibility.models import ScreeningCategory, ScreeningEntry, ScreeningRun
from kechuang.eligibility.screening import CATEGORY_ORDER, RunWording

HEADERS = ("类别", "排名", "统一社会信用代码", "企业名称", "所在区域代码", "是否持有", "是否符合", "得分（下限）",
           "得分（上限）", "未满足条件数", "差距（标准化）", "说明")
VERDICT = {True: "符合", False: "不符合", None: "待定"}


def screening_workbook(run: ScreeningRun) -> tuple[bytes, int]:
    """Return the run's entries as an .xlsx workbook (bytes) and the number of data rows."""
    try:
        label = get_programme(run.programme).label
    except UnknownProgramme:
        label = run.programme
    title = f"{label} · {run.year} 年度批量筛选 · 规则版本 {run.rules_version} · 评估日期 {run.as_of.isoformat()}"
    return write_xlsx(HEADERS, _rows(run), sheet=f"{label}筛选", title=title)


def _rows(run: ScreeningRun) -> Iterator[list[Any]]:
    labels = dict(ScreeningCategory.choices)
    wording = RunWording(run)
    order = Case(*(When(category=c, then=Value(i)) for i, c in enumerate(CATEGORY_ORDER)), default=Value(99))
    entries = (ScreeningEntry.objects.filter(run=run).order_by(order, "rank", "id")
               .values_list("category", "rank", "enterprise__uscc", "enterprise__name", "enterprise__region_id",
                            "holds_rung", "eligible", "score_low", "score_high", "failed_count", "gap", "summary", "facts"))
    for row in entries.iterator(chunk_size=5000):
        category, rank, uscc, name, region, holds, eligible, low, high, failed, gap, summary, facts = row
        yield [str(labels.get(category, category)), rank, uscc, name, region, "是" if holds else "否",
               VERDICT[eligible], low, high, failed, gap, _explain(wording.lines(category, summary, facts))]


def _explain(summary: Any) -> str:
    return "；".join(f"{line.get('label', '')}：{line.get('text', '')}" for line in summary or [])
