"""The .docx of a report (公文格式), after 党政机关公文格式 GB/T 9704-2012 as a guide.

A4 with the standard margins, title in 方正小标宋简体 二号, first-level headings "一、" in 黑体 三号, second-level
"（一）" in 楷体_GB2312 三号, body 仿宋_GB2312 三号 with a 2-character first-line indent and a fixed 28.95 pt line
(22 lines a page), page numbers "— N —" in 宋体 四号 at the outer edge. Every font is set on named paragraph
styles (w:rFonts w:eastAsia for the Chinese text, Times New Roman for Latin letters and digits), so an officer can
restyle the whole document from Word's style pane. The renderer prints what the `Report` holds and nothing else
besides the title, the date line, numbering and captions; `report.warnings` stay out of the document.
The output is deterministic: the same content gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from kechuang.reports.charts import chart_png
from kechuang.reports.content import MISSING, Chart, Paragraph, Report, Section, Table, section_number

LATIN_FONT = "Times New Roman"
LINE_PITCH = Pt(28.95)  # 版心 225 mm ÷ 22 行 (GB/T 9704 7.1: 每面排 22 行)
CHART_WIDTH = Cm(15)  # the type area is 156 mm wide
CAPTION_GAP = "  "  # "图1  标题"


@dataclass(frozen=True)
class StyleSpec:
    """One named paragraph style of the document."""

    name: str
    east_asia: str
    size: float  # pt: 二号 22, 三号 16, 四号 14, 小四 12
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent_chars: int = 0
    line: Length | None = LINE_PITCH  # exact line height; None = single spacing
    outline_level: int | None = None
    keep_with_next: bool = False
    latin: str = LATIN_FONT


# The keys are what the renderer asks for; the names are what the officer sees in Word's style pane.
STYLES = {
    "title": StyleSpec("公文标题", "方正小标宋简体", 22, WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36), keep_with_next=True),
    "date_line": StyleSpec("公文日期行", "仿宋_GB2312", 16, WD_ALIGN_PARAGRAPH.CENTER),
    "heading1": StyleSpec("公文一级标题", "黑体", 16, indent_chars=2, outline_level=0, keep_with_next=True),
    "heading2": StyleSpec("公文二级标题", "楷体_GB2312", 16, indent_chars=2, outline_level=1, keep_with_next=True),
    "picture": StyleSpec("公文图片", "仿宋_GB2312", 16, WD_ALIGN_PARAGRAPH.CENTER, line=None, keep_with_next=True),
    "caption": StyleSpec("公文图表标题", "黑体", 14, WD_ALIGN_PARAGRAPH.CENTER, line=None),
    "table": StyleSpec("公文表格", "仿宋_GB2312", 12, WD_ALIGN_PARAGRAPH.LEFT, line=None),
    "annex_mark": StyleSpec("公文附件标识", "黑体", 16, WD_ALIGN_PARAGRAPH.LEFT),
    "page_number": StyleSpec("公文页码", "宋体", 14, WD_ALIGN_PARAGRAPH.RIGHT, line=None, latin="宋体"),
}
BODY = StyleSpec("Normal", "仿宋_GB2312", 16, indent_chars=2)

NUMERIC_CELL = re.compile(r"[-+−]?\d[\d,]*(\.\d+)?\s*(%|‰|个百分点|[亿万]?元|家|个|项|人|件|名|位|次|倍)?")
EMPTY_CELLS = {"", "-", "—", "–", MISSING}


def render_docx(report: Report) -> bytes:
    """Return the .docx bytes of `report` in the official document format."""
    document = Document()
    _drop_thumbnail(document)
    _set_up_page(document)
    _set_up_styles(document)
    _add_page_numbers(document)
    _Writer(document).write(report)
    _set_core_properties(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return _pin_zip_dates(buffer.getvalue(), _as_of_date(report))


class _Writer:
    """Writes a report's blocks in order, numbering subheadings per section and figures/tables through."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.figure_count = 0
        self.table_count = 0

    def write(self, report: Report) -> None:
        self.paragraph(report.title, "title")
        self.paragraph(f"{report.region_name}　数据截至{_chinese_date(_as_of_date(report))}", "date_line")
        for index, section in enumerate(report.sections, start=1):
            self.section(index, section)
        if report.appendix:
            self.appendix(report.appendix)

    def paragraph(self, text: str, style: str | None = None) -> DocxParagraph:
        """Add a paragraph in one of `STYLES` (None: the body style, Normal)."""
        return self.document.add_paragraph(text, style=STYLES[style].name if style else None)

    def section(self, index: int, section: Section) -> None:
        self.paragraph(f"{section_number(index)}{section.title}", "heading1")
        subheadings = 0
        for block in section.blocks:
            if isinstance(block, Chart):
                self.chart(block)
            elif isinstance(block, Table):
                self.table(block)
            elif block.style == "subheading":
                subheadings += 1
                self.paragraph(_subheading_text(subheadings, block), "heading2")
            else:
                self.paragraph(block.text)

    def chart(self, chart: Chart) -> None:
        self.figure_count += 1
        png = chart_png(chart, width_cm=CHART_WIDTH.cm, height_cm=CHART_WIDTH.cm / 2, with_title=False)
        self.paragraph("", "picture").add_run().add_picture(io.BytesIO(png), width=CHART_WIDTH)
        self.paragraph(f"图{self.figure_count}{CAPTION_GAP}{chart.title}", "caption")

    def table(self, table: Table) -> None:
        self.table_count += 1
        caption = self.paragraph(f"表{self.table_count}{CAPTION_GAP}{table.title}", "caption")
        caption.paragraph_format.keep_with_next = True
        style_id = self.document.styles[STYLES["table"].name].style_id
        _fill_table(self.document.add_table(rows=0, cols=len(table.headers)), table, style_id)
        if table.note:
            self.paragraph(table.note, "table")

    def appendix(self, tables: list[Table]) -> None:
        """附件 on a new page: "附件" top left in 黑体 三号, its title centred on the third line (GB/T 9704 7.3.5)."""
        self.paragraph("附件", "annex_mark").paragraph_format.page_break_before = True
        self.paragraph("统计表", "title").paragraph_format.space_before = LINE_PITCH
        for table in tables:
            self.table(table)


def _subheading_text(number: int, paragraph: Paragraph) -> str:
    """"（一）" + text, unless the author already numbered it."""
    if re.match(r"（[一二三四五六七八九十]+）", paragraph.text):
        return paragraph.text
    return f"（{section_number(number)[:-1]}）{paragraph.text}"


def _fill_table(docx_table: DocxTable, table: Table, style_id: str) -> None:
    """Header row bold and centred (repeated on each page), numeric columns right-aligned, grid borders.

    The rows are written as XML in one go: python-docx's cell-by-cell API takes seconds for a 100-row table.
    """
    docx_table.style = "Table Grid"
    docx_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [int(col.get(qn("w:w"))) for col in docx_table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    numeric = _numeric_columns(table)
    rows = [_row_xml(table.headers, widths, style_id, header=True, numeric=set())]
    rows += [_row_xml(row, widths, style_id, header=False, numeric=numeric) for row in table.rows]
    for row in parse_xml(f"<w:rows {nsdecls('w')}>{''.join(rows)}</w:rows>"):
        docx_table._tbl.append(row)


def _row_xml(values: list[str], widths: list[int], style_id: str, *, header: bool, numeric: set[int]) -> str:
    cells = []
    for column, width in enumerate(widths):
        text = values[column] if column < len(values) else ""
        align = "center" if header else "right" if column in numeric else ""
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{escape(style_id)}"/>{f"<w:jc w:val={quoteattr(align)}/>" if align else ""}'
            f'</w:pPr><w:r>{"<w:rPr><w:b/></w:rPr>" if header else ""}'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>')
    row_properties = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return f"<w:tr>{row_properties}{''.join(cells)}</w:tr>"


def _numeric_columns(table: Table) -> set[int]:
    """Columns (after the first, which names the row) whose every filled cell is a number."""
    columns = set()
    for column in range(1, len(table.headers)):
        cells = [row[column] for row in table.rows if column < len(row) and row[column] not in EMPTY_CELLS]
        if cells and all(NUMERIC_CELL.fullmatch(cell.strip()) for cell in cells):
            columns.add(column)
    return columns


def _set_up_page(document: DocxDocument) -> None:
    """A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (GB/T 9704 5.2.1)."""
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)  # the page number sits about 7 mm below the type area (GB/T 9704 7.5)


def _set_up_styles(document: DocxDocument) -> None:
    _set_document_defaults(document)
    _apply_spec(document.styles["Normal"], BODY)
    document.styles["Normal"].paragraph_format.widow_control = False  # keep the 22-line grid on every page
    for spec in STYLES.values():
        style = document.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        _apply_spec(style, spec)


def _set_document_defaults(document: DocxDocument) -> None:
    """Replace the template's theme fonts and Japanese/English language defaults with ours and zh-CN."""
    r_pr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(r_pr.get_or_add_rFonts(), BODY.east_asia, LATIN_FONT)
    lang = r_pr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    p_pr_default = document.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    p_pr_default.getparent().remove(p_pr_default)  # the template's 10 pt after / 1.15 lines


def _apply_spec(style: ParagraphStyle, spec: StyleSpec) -> None:
    style.font.size = Pt(spec.size)
    style.font.bold = False
    _set_fonts(style.element.get_or_add_rPr().get_or_add_rFonts(), spec.east_asia, spec.latin)
    fmt = style.paragraph_format
    fmt.alignment = spec.align
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.keep_with_next = spec.keep_with_next
    if spec.line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, spec.line
    _indent_first_line(style, spec)
    if spec.outline_level is not None:
        style.element.get_or_add_pPr().get_or_add_outlineLvl().val = spec.outline_level


def _indent_first_line(style: ParagraphStyle, spec: StyleSpec) -> None:
    """Indent in characters (w:firstLineChars, what Word's "首行缩进 2 字符" writes) with the pt fallback."""
    style.paragraph_format.first_line_indent = Pt(spec.size * spec.indent_chars)
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(spec.indent_chars * 100))


def _set_fonts(r_fonts, east_asia: str, latin: str) -> None:
    """Set the Chinese (eastAsia) and Latin (ascii/hAnsi) fonts; theme fonts would override them, so drop those."""
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(theme), None)
    for attribute, font in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        r_fonts.set(qn(attribute), font)


def _add_page_numbers(document: DocxDocument) -> None:
    """"— N —" at the outer edge: right on odd pages, left on even ones, one character in (GB/T 9704 7.5)."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    spec = STYLES["page_number"]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = spec.name
        paragraph.alignment = align
        inset = Pt(spec.size)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = inset
        else:
            paragraph.paragraph_format.left_indent = inset
        _write_page_field(paragraph)


def _write_page_field(paragraph: DocxParagraph) -> None:
    paragraph.add_run("— ")
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run("1" if kind == "result" else None)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        elif kind != "result":
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(" —")


def _drop_thumbnail(document: DocxDocument) -> None:
    """The python-docx template carries its own preview image; a report should not show it."""
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(r_id)


def _set_core_properties(document: DocxDocument, report: Report) -> None:
    as_of = dt.datetime.combine(_as_of_date(report), dt.time(), tzinfo=dt.UTC)
    properties = document.core_properties
    properties.title = report.title
    properties.author = properties.last_modified_by = "科创 Kechuang"
    properties.comments = ""
    properties.revision = 1
    properties.created = properties.modified = as_of


def _pin_zip_dates(docx_bytes: bytes, day: dt.date) -> bytes:
    """Rewrite the zip with every entry dated `day`: zipfile stamps entries with the current time otherwise."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(max(day.year, 1980), day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return output.getvalue()


def _as_of_date(report: Report) -> dt.date:
    return dt.date.fromisoformat(report.as_of[:10])


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
