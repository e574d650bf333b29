"""Excel import of a whole collection round (采集轮次整表导入): the sheet bureaus mail around — one row per region
("区划代码", "区域名称"), one column per requested indicator (headed by its name or code), and for each an optional
"<指标名称>说明" column for the change explanation.

Through the safety gate (SECURITY.md F1–F6) and all-or-nothing: every bad cell is reported as "第 N 行 · 列: 原因"
and nothing is written. A clean file stores each region's figures as its draft and submits (报送) every region
whose figures are complete and explained; the others stay drafts, listed with what is missing. Only the
organiser's officers may import a whole round (a region submits its own figures on its page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kechuang.core.imports.reader import read_sheet
from kechuang.core.imports.safety import ImportRejected, check_workbook
from kechuang.core.permissions import region_in_scope
from kechuang.indicators import collection
from kechuang.indicators.choices import RoundStatus, SubmissionStatus
from kechuang.indicators.models import CollectionRound
from kechuang.indicators.services import check_reported_value, parse_figure
from kechuang.regions.models import normalize_region_code

REGION_HEADERS = ("区划代码", "区域代码")
NAME_HEADERS = ("区域名称", "区域", "名称")
EXPLANATION_SUFFIX = "说明"


@dataclass
class RoundImportResult:
    errors: list[str] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    drafts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def import_round(collection_round: CollectionRound, source: Any, *, actor: Any) -> RoundImportResult:
    """Read, check and store a round's workbook; raise ImportRejected for a file that cannot be read at all."""
    if not region_in_scope(actor, CollectionRound, collection_round.region, "change"):
        raise PermissionDenied("只有发起采集的区域人员可以导入整轮数据。")
    if collection_round.status != RoundStatus.OPEN:
        raise ImportRejected(f"采集轮次“{collection_round.name}”已关闭，不能导入。")
    sheet = read_sheet(source, check_workbook(source))
    if sheet.info.formula_cells:
        raise ImportRejected("表格中含有公式，请粘贴为数值后再导入。")
    header = [_text(h) for h in sheet.header]
    indicators = list(collection_round.indicators.all())
    columns, explanation_columns, region_column, problems = _layout(header, indicators)
    if problems:
        raise ImportRejected("；".join(problems))
    submissions = {s.region_id: s for s in collection_round.submissions.select_related("region")}
    result = RoundImportResult()
    figures: dict[str, dict[int, Decimal]] = {}
    explanations: dict[str, dict[int, str]] = {}
    for number, cells in enumerate(sheet.rows, start=2):
        if all(_text(c) == "" for c in cells):
            continue
        raw_region = _text(cells[region_column]) if region_column < len(cells) else ""
        try:
            code = normalize_region_code(raw_region)
        except ValueError as error:
            result.errors.append(f"第 {number} 行 · 区划代码: {error}")
            continue
        if code not in submissions:
            result.errors.append(f"第 {number} 行 · 区划代码: {raw_region} 不是本轮的报送区域。")
            continue
        if code in figures:
            result.errors.append(f"第 {number} 行 · 区划代码: {raw_region} 重复出现。")
            continue
        if submissions[code].status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
            result.errors.append(f"第 {number} 行 · 区划代码: {submissions[code].region.name}已"
                                 f"{submissions[code].get_status_display()}，不能覆盖。")
            continue
        figures[code], explanations[code] = {}, {}
        for indicator, index in columns:
            cell = cells[index] if index < len(cells) else None
            if _text(cell) == "":
                continue
            try:
                value = parse_figure(cell, indicator.name)
                check_reported_value(indicator, value)
            except ValidationError as error:
                result.errors.append(f"第 {number} 行 · {header[index]}: {'；'.join(error.messages)}")
                continue
            figures[code][indicator.pk] = value
            note_index = explanation_columns.get(indicator.pk)
            if note_index is not None and note_index < len(cells):
                explanations[code][indicator.pk] = _text(cells[note_index])[:300]
    if not figures and not result.errors:
        result.errors.append("文件中没有数据行。")
    if result.errors:
        return result
    with transaction.atomic():
        for code, values in figures.items():
            submission = submissions[code]
            collection.save_draft(submission, values, explanations[code], actor=actor)
            missing = collection.submission_problems(submission)
            if missing:
                result.drafts[submission.region.name] = missing
            else:
                collection.submit(submission, actor=actor)
                result.submitted.append(submission.region.name)
    return result


def _layout(header: list[str], indicators: list[Any]) -> tuple[list[tuple[Any, int]], dict[int, int], int, list[str]]:
    """Find the region column, each indicator's column and its explanation column; list what is missing."""
    problems = []
    region_column = next((i for i, h in enumerate(header) if h in REGION_HEADERS), -1)
    if region_column < 0:
        problems.append("缺少“区划代码”列。")
    columns, explanation_columns = [], {}
    for indicator in indicators:
        names = (indicator.name, indicator.code, f"{indicator.name}（{indicator.unit}）")
        index = next((i for i, h in enumerate(header) if h in names), -1)
        if index < 0:
            problems.append(f"缺少“{indicator.name}”列。")
            continue
        columns.append((indicator, index))
        note = next((i for i, h in enumerate(header) if h in (indicator.name + EXPLANATION_SUFFIX,
                                                               indicator.code + EXPLANATION_SUFFIX)), None)
        if note is not None:
            explanation_columns[indicator.pk] = note
    return columns, explanation_columns, region_column, problems


def round_template(collection_round: CollectionRound) -> bytes:
    """The round's blank workbook: one row per reporting region, one column (and its explanation) per indicator."""
    from kechuang.core.export import write_xlsx

    indicators = list(collection_round.indicators.all())
    headers = ["区划代码", "区域名称"]
    for indicator in indicators:
        headers += [f"{indicator.name}（{indicator.unit}）", indicator.name + EXPLANATION_SUFFIX]
    rows = ([s.region_id, s.region.name] + [""] * (2 * len(indicators))
            for s in collection_round.submissions.select_related("region").order_by("region_id"))
    content, _count = write_xlsx(headers, rows, sheet="报送数据")
    return content
