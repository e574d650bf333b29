"""The statistical workbook (统计工作簿): one .xlsx for a region and a year — a "说明" sheet, then a sheet per
indicator group (研发投入, 高新技术产业, …) with one block per indicator: the region and its direct administrative
children as rows, the last years as columns, then 增速/变化 and 排名 for the last year. Formatted for printing.

Every figure is read through `kechuang.indicators.figures` (the reading code of the pages and the API): a year's
column is the figure of that year known on the as-of date (`latest_in_year`), and the last year comes from
`region_figures`, which adds the change on the same period of the previous year and the rank among the children.
A missing figure is written as "（数据暂缺）", never 0.

Reading is split from writing: `collect()` returns plain sheets of cell values, `content_hash()` hashes those
values (same data and as-of date → same hash) and `write_xlsx()` lays them out with xlsxwriter. Cells never become
formulas (`strings_to_formulas` off), so a region or indicator name starting with "=" stays text.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

from kechuang.indicators.choices import Aggregation, IndicatorGroup, IndicatorKind
from kechuang.indicators.derive import Change, Rank
from kechuang.indicators.figures import Stored, latest_in_year, region_figures
from kechuang.indicators.models import Indicator
from kechuang.indicators.periods import ANNUAL, period_label
from kechuang.regions.models import Region
from kechuang.reports.content import MISSING

NOTES_SHEET = "说明"
NOTES_WIDTHS = (10, 30, 8, 50, 40, 12, 18, 16)
COLUMN_WIDTHS = {"region": 16, "year": 13, "change": 15, "rank": 8, "note": 34}
CHANGE_FORMATS = {  # the unit travels in the number format, the cell stays a number
    "rate": '+#,##0.00"%";-#,##0.00"%";0.00"%"',
    "points": '+0.00"个百分点";-0.00"个百分点";0.00"个百分点"',
}


# --- content: what the cells hold -----------------------------------------------------------------------------


@dataclass
class Line:
    """One region's row of an indicator block."""

    region: Region
    values: list[Stored | None]  # one per year, oldest first
    change: Change
    rank: Rank | None
    is_parent: bool = False

    def note(self, years: Sequence[int]) -> str:
        """备注: which years hold a figure of part of the year, and why the change is not given."""
        parts = [f"{period_label(year, stored.period)}为累计数"
                 for year, stored in zip(years, self.values, strict=True)
                 if stored is not None and stored.period != ANNUAL]
        if self.change.kind == "none" and self.values[-1] is not None:
            parts.append(self.change.reason)
        return "；".join(parts)


@dataclass
class Block:
    indicator: Indicator
    lines: list[Line]


@dataclass
class GroupSheet:
    group: str  # IndicatorGroup value
    label: str  # the sheet name: the group's Chinese label
    blocks: list[Block] = field(default_factory=list)


@dataclass
class WorkbookContent:
    region: Region
    year: int
    as_of: date
    years: list[int]
    sheets: list[GroupSheet]
    empty: list[Indicator]  # active indicators with no figure in the window (listed in 说明 only)

    @property
    def title(self) -> str:
        return f"{self.region.name}{self.year}年科技统计工作簿（数据截至 {self.as_of.isoformat()}）"


def statistical_workbook(region: Region, year: int, *, as_of: date | None = None, user: Any = None,
                         years: int = 5) -> tuple[bytes, str]:
    """Return the statistical workbook of `region` for `year` as .xlsx bytes, and the SHA-256 of its cell values.

    Refuses (like `build_annual_report`, through `check_request`): an as-of date in the future or before the year
    (ReportError), a region outside `user`'s scope (PermissionDenied), a year without any figure (ReportError).
    `user` None reads as the system (every row); otherwise only the rows `user` may view are read.
    """
    from kechuang.reports.builder import check_request

    as_of = as_of or min(timezone.localdate(), date(year, 12, 31))
    check_request(region, year, as_of, user)
    content = collect(region, year, as_of=as_of, user=user, years=years)
    return write_xlsx(content), content_hash(content)


def collect(region: Region, year: int, *, as_of: date, user: Any = None, years: int = 5) -> WorkbookContent:
    """Read every active indicator's figures for `region` and its children, grouped into sheets."""
    window = list(range(year - years + 1, year + 1))
    children = list(Region.objects.children_of(region.code).filter(kind="administrative").order_by("code"))
    by_group: dict[str, GroupSheet] = {g.value: GroupSheet(g.value, str(g.label)) for g in IndicatorGroup}
    empty: list[Indicator] = []
    for indicator in Indicator.objects.filter(is_active=True).order_by("position", "code"):
        block = read_block(indicator, region, children, window, as_of, user)
        if block is None:
            empty.append(indicator)
        else:
            by_group[indicator.group].blocks.append(block)
    sheets = [sheet for sheet in by_group.values() if sheet.blocks]
    return WorkbookContent(region, year, as_of, window, sheets, empty)


def read_block(indicator: Indicator, region: Region, children: list[Region], window: list[int], as_of: date,
               user: Any) -> Block | None:
    """Return the indicator's block, or None when no row has a figure in any year of the window."""
    rows = [region, *children]
    codes = [r.code for r in rows]
    earlier = {y: latest_in_year(indicator, codes, y, as_of, user=user) for y in window[:-1]}
    last = region_figures(indicator, rows, window[-1], as_of, user=user, ranked=children)
    lines = [Line(figure.region, [earlier[y].get(figure.region.code) for y in window[:-1]] + [figure.stored],
                  figure.change, figure.rank, is_parent=figure.region.code == region.code) for figure in last]
    if all(stored is None for line in lines for stored in line.values):
        return None
    return Block(indicator, lines)


# --- the canonical cell values and their hash ------------------------------------------------------------------

Cell = str | Decimal | int | None


def block_rows(block: Block, years: Sequence[int]) -> list[list[Cell]]:
    """The block's rows as cell values: a title row, then one row per region (see the module docstring)."""
    indicator = block.indicator
    rows: list[list[Cell]] = [[f"{indicator.name}（{indicator.unit}）"]]
    for line in block.lines:
        figures: list[Cell] = [MISSING if s is None else s.value for s in line.values]
        rows.append([line.region.name, *figures, line.change.value, rank_cell(line.rank), line.note(years)])
    return rows


def rank_cell(rank: Rank | None) -> Cell:
    """排名: 3, "并列2" for a shared place, None for no rank (no figure, or the region above its children)."""
    if rank is None:
        return None
    return f"并列{rank.position}" if rank.tied else rank.position


def header_row(years: Sequence[int]) -> list[Cell]:
    return ["地区", *[f"{y}年" for y in years], "增速/变化", "排名", "备注"]


def notes_rows(content: WorkbookContent) -> list[list[Cell]]:
    """The 说明 sheet: how to read the workbook, then each indicator's definition and source."""
    rows: list[list[Cell]] = [
        [f"区域：{content.region.name}（{content.region.code}）；年度：{content.year}；"
         f"数据截至：{content.as_of.isoformat()}；年份：{content.years[0]}—{content.years[-1]}年。"],
        ["各年数值为该年截至上述日期已知的最新数（全年数优先，否则为年内最近一期累计数，在备注中注明）。"],
        [f"增速/变化为{content.years[-1]}年与上年同期相比：金额、数量为增速（%），比重类指标为变化（个百分点）；"
         "上年基数为零、为负或暂缺时不计算，原因见备注。"],
        [f"排名为{content.region.name}下级区域之间的排名（并列记为“并列N”，其后名次顺延）；“{MISSING}”表示该期无数据。"],
        [],
        ["分组", "指标", "单位", "定义", "口径来源", "来源类型", "汇总方式", "本表"],
    ]
    listed = {block.indicator.pk for sheet in content.sheets for block in sheet.blocks}
    indicators = [b.indicator for s in content.sheets for b in s.blocks] + content.empty
    for indicator in indicators:
        rows.append([str(IndicatorGroup(indicator.group).label), indicator.name, indicator.unit,
                     indicator.definition, indicator.source, str(IndicatorKind(indicator.kind).label),
                     str(Aggregation(indicator.aggregation).label),
                     "已列表" if indicator.pk in listed else "本期无数据，未列表"])
    return rows


def canonical(content: WorkbookContent) -> list[Any]:
    """Every sheet's name and cell values in order, as JSON-able text (Decimals normalised)."""
    def text(cell: Cell) -> Any:
        return f"{cell.normalize():f}" if isinstance(cell, Decimal) else cell

    sheets = [[NOTES_SHEET, content.title, [[text(c) for c in row] for row in notes_rows(content)]]]
    for sheet in content.sheets:
        rows = [header_row(content.years)] + [row for b in sheet.blocks for row in block_rows(b, content.years)]
        sheets.append([sheet.label, content.title, [[text(c) for c in row] for row in rows]])
    return sheets


def content_hash(content: WorkbookContent) -> str:
    """SHA-256 of the canonical cell values: the same figures known on the same date give the same hash."""
    text = json.dumps(canonical(content), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the .xlsx --------------------------------------------------------------------------------------------------

FONT = {"font_name": "宋体", "font_size": 10}
BORDERED = {**FONT, "border": 1, "valign": "vcenter"}


class Formats:
    """The workbook's cell formats, created once each (xlsxwriter keeps every format object it is given)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.title = book.add_format({**FONT, "bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.header = book.add_format({**BORDERED, "bold": True, "align": "center", "bg_color": "#D9E1F2",
                                       "text_wrap": True})
        self.block = book.add_format({**BORDERED, "bold": True, "bg_color": "#F2F2F2"})
        self.region = book.add_format({**BORDERED})
        self.parent = book.add_format({**BORDERED, "bold": True})
        self.missing = book.add_format({**BORDERED, "align": "center", "font_color": "#808080"})
        self.rank = book.add_format({**BORDERED, "align": "center"})
        self.note = book.add_format({**BORDERED, "text_wrap": True, "font_size": 9})
        self.plain = book.add_format({**FONT, "text_wrap": True, "valign": "top"})
        self.plain_bordered = book.add_format({**BORDERED, "text_wrap": True, "valign": "top"})
        self._numbers: dict[tuple[str, bool], Any] = {}

    def number(self, pattern: str, bold: bool = False) -> Any:
        key = (pattern, bold)
        if key not in self._numbers:
            self._numbers[key] = self.book.add_format({**BORDERED, "num_format": pattern, "bold": bold})
        return self._numbers[key]


def figure_pattern(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def write_xlsx(content: WorkbookContent) -> bytes:
    """Lay `content` out as a printable .xlsx and return its bytes (the same content gives the same bytes)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                     "strings_to_urls": False})
    stamp = datetime.combine(content.as_of, datetime.min.time())
    book.set_properties({"title": content.title, "author": "科创 Kechuang", "created": stamp})
    formats = Formats(book)
    write_notes(book.add_worksheet(NOTES_SHEET), content, formats)
    for sheet in content.sheets:
        write_group(book.add_worksheet(sheet.label), sheet, content, formats)
    book.close()
    return out.getvalue()


def print_setup(sheet: Any, header_rows: int) -> None:
    """A4 landscape, one page wide, the title and header rows on every page, page numbers in the footer."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, header_rows - 1)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer("&C第 &P 页，共 &N 页")


def write_notes(sheet: Any, content: WorkbookContent, formats: Formats) -> None:
    rows = notes_rows(content)
    sheet.merge_range(0, 0, 0, 7, content.title, formats.title)
    sheet.set_row(0, 28)
    for col, width in enumerate(NOTES_WIDTHS):
        sheet.set_column(col, col, width)
    table_start = next(i for i, row in enumerate(rows) if row and row[0] == "分组")
    for offset, row in enumerate(rows, start=1):
        if offset - 1 < table_start:
            if row:
                sheet.merge_range(offset, 0, offset, 7, row[0], formats.plain)
            continue
        style = formats.header if offset - 1 == table_start else formats.plain_bordered
        sheet.write_row(offset, 0, row, style)
    sheet.freeze_panes(table_start + 2, 0)
    print_setup(sheet, table_start + 2)


def write_group(sheet: Any, group: GroupSheet, content: WorkbookContent, formats: Formats) -> None:
    """One indicator group: the title, the column header (both repeated on every printed page), the blocks."""
    width = len(content.years) + 4
    sheet.merge_range(0, 0, 0, width - 1, content.title, formats.title)
    sheet.set_row(0, 28)
    sheet.write_row(1, 0, header_row(content.years), formats.header)
    sheet.set_column(0, 0, COLUMN_WIDTHS["region"])
    sheet.set_column(1, len(content.years), COLUMN_WIDTHS["year"])
    sheet.set_column(len(content.years) + 1, len(content.years) + 1, COLUMN_WIDTHS["change"])
    sheet.set_column(len(content.years) + 2, len(content.years) + 2, COLUMN_WIDTHS["rank"])
    sheet.set_column(len(content.years) + 3, len(content.years) + 3, COLUMN_WIDTHS["note"])
    row = 2
    for block in group.blocks:
        row = write_block(sheet, row, block, content.years, formats) + 1  # a blank row between blocks
    sheet.freeze_panes(2, 1)
    print_setup(sheet, 2)


def write_block(sheet: Any, row: int, block: Block, years: Sequence[int], formats: Formats) -> int:
    """Write one indicator block from `row`; return the row after it."""
    rows = block_rows(block, years)
    width = len(years) + 4
    sheet.merge_range(row, 0, row, width - 1, rows[0][0], formats.block)
    pattern = figure_pattern(block.indicator.decimals)
    change_pattern = CHANGE_FORMATS["points" if block.indicator.is_percentage else "rate"]
    for line, cells in zip(block.lines, rows[1:], strict=True):
        row += 1
        bold = line.is_parent
        sheet.write_string(row, 0, cells[0], formats.parent if bold else formats.region)
        for col, cell in enumerate(cells[1:len(years) + 1], start=1):
            write_cell(sheet, row, col, cell, formats.number(pattern, bold), formats)
        write_cell(sheet, row, len(years) + 1, cells[len(years) + 1], formats.number(change_pattern, bold), formats)
        write_cell(sheet, row, len(years) + 2, cells[len(years) + 2], formats.rank, formats)
        sheet.write_string(row, len(years) + 3, cells[-1], formats.note)
    return row + 1


def write_cell(sheet: Any, row: int, col: int, cell: Cell, number_format: Any, formats: Formats) -> None:
    if cell is None:
        sheet.write_blank(row, col, None, number_format)
    elif isinstance(cell, str):
        sheet.write_string(row, col, cell, formats.missing if cell == MISSING else formats.rank)
    else:
        sheet.write_number(row, col, float(cell), number_format)
