"""The .docx renderer: 公文格式 (GB/T 9704 as a guide), every paragraph of the content, numbered, captioned."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn

from kechuang.reports.content import MISSING, Chart, Paragraph, Report, Section, Table
from kechuang.reports.render_docx import render_docx

DISTRICTS = ["玄武区", "秦淮区", "江宁区"]


def nanjing_report() -> Report:
    """Two sections with subheadings, two charts, a table, an appendix table and a warning."""
    indicators = Section("indicators", "主要指标完成情况", [
        Paragraph("s1.intro", "2024年，全市R&D经费投入强度达到3.35%，比上年提高0.25个百分点，在全省排名第2位。"),
        Paragraph("s1.rd", "研发投入持续增长", style="subheading"),
        Chart("s1.trend", "R&D经费投入强度", "trend", ["2022", "2023", "2024"],
              [{"name": "南京市", "values": [3.0, None, 3.35]}], unit="%"),
        Paragraph("s1.rd_spend", f"全社会研发经费支出{MISSING}。"),
        Paragraph("s1.output", "产出质效提升", style="subheading"),
        Paragraph("s1.patents", "每万人口高价值发明专利拥有量达到45.2件。"),
    ])
    ladder = Section("ladder", "科技企业梯队培育", [
        Paragraph("s2.hte_head", "高新技术企业", style="subheading"),
        Paragraph("s2.hte", "全市有效期内高新技术企业9,845家，新增1,203家。"),
        Table("s2.by_district", "各区高新技术企业数量", ["地区", "数量（家）", "增长率"],
              [["玄武区", "1,120", "5.1%"], ["秦淮区", "980", MISSING], ["江宁区", "2,300", "-1.2%"]],
              note="数据来源：高企认定库。"),
        Chart("s2.regions", "各区高新技术企业数量", "regions", DISTRICTS,
              [{"name": "高新技术企业", "values": [1120, 980, 2300]}], unit="家"),
    ])
    problems = Section("problems", "存在问题", [Paragraph("s3.p", "一是研发投入增速放缓。")])
    appendix = [Table("a.main", "主要科技指标", ["指标", "2023年", "2024年"],
                      [["R&D经费投入强度（%）", "3.10", "3.35"], ["高新技术企业（家）", "8,642", "9,845"]])]
    return Report(title="南京市科学技术局2024年工作总结", region="320100", region_name="南京市", year=2024,
                  as_of="2024-12-31", sections=[indicators, ladder, problems], appendix=appendix,
                  warnings=["全社会研发经费支出：2024年数据暂缺"])


@pytest.fixture(scope="module")
def report() -> Report:
    return nanjing_report()


@pytest.fixture(scope="module")
def docx_bytes(report) -> bytes:
    return render_docx(report)


@pytest.fixture(scope="module")
def document(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def paragraph_of(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


def east_asia_font(style) -> str | None:
    for s in style_chain(style):
        r_fonts = s.element.rPr.rFonts if s.element.rPr is not None else None
        if r_fonts is not None and r_fonts.get(qn("w:eastAsia")):
            return r_fonts.get(qn("w:eastAsia"))
    return None


def size_pt(style) -> float:
    return next(s.font.size.pt for s in style_chain(style) if s.font.size is not None)


def test_the_page_is_a4_with_the_official_margins(document):
    section = document.sections[0]

    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]


@pytest.mark.parametrize(("text", "font", "size"), [
    ("南京市科学技术局2024年工作总结", "方正小标宋简体", 22),
    ("南京市　数据截至2024年12月31日", "仿宋_GB2312", 16),
    ("一、主要指标完成情况", "黑体", 16),
    ("（一）研发投入持续增长", "楷体_GB2312", 16),
    ("每万人口高价值发明专利拥有量达到45.2件。", "仿宋_GB2312", 16),
    ("图1  R&D经费投入强度", "黑体", 14),
])
def test_each_kind_of_line_has_its_east_asian_font_and_size(document, text, font, size):
    style = paragraph_of(document, text).style

    assert east_asia_font(style) == font
    assert size_pt(style) == size


def test_latin_letters_and_digits_fall_back_to_times_new_roman(document):
    r_fonts = document.styles["Normal"].element.rPr.rFonts

    assert r_fonts.get(qn("w:ascii")) == r_fonts.get(qn("w:hAnsi")) == "Times New Roman"
    assert r_fonts.get(qn("w:asciiTheme")) is None  # a theme font would override the explicit one


def test_the_title_and_date_line_are_centred(document):
    assert [p.alignment or p.style.paragraph_format.alignment for p in document.paragraphs[:2]] == [
        WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.CENTER]


def test_body_has_a_fixed_line_and_a_two_character_indent(document):
    body = paragraph_of(document, "一是研发投入增速放缓。")
    fmt = body.style.paragraph_format

    assert body.style.name == "Normal"
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing.pt == pytest.approx(28.95)
    assert fmt.first_line_indent.pt == 32
    assert body.style.element.pPr.ind.get(qn("w:firstLineChars")) == "200"


def test_first_level_headings_are_numbered_in_chinese(document):
    headings = [t for t in texts(document) if re.match(r"[一二三四五六七八九十]+、", t)]

    assert headings == ["一、主要指标完成情况", "二、科技企业梯队培育", "三、存在问题"]


def test_subheadings_are_numbered_afresh_in_each_section(document):
    subheadings = [t for t in texts(document) if t.startswith("（")]

    assert subheadings == ["（一）研发投入持续增长", "（二）产出质效提升", "（一）高新技术企业"]


def test_a_subheading_already_numbered_is_not_numbered_twice():
    report = nanjing_report()
    report.sections[0].blocks[1].text = "（一）研发投入持续增长"

    assert "（一）研发投入持续增长" in texts(Document(io.BytesIO(render_docx(report))))


def test_headings_are_outline_levels_for_the_navigation_pane(document):
    def level(text):
        return paragraph_of(document, text).style.element.pPr.outlineLvl.val

    assert (level("一、主要指标完成情况"), level("（一）研发投入持续增长")) == (0, 1)


def test_every_paragraph_of_the_report_appears_in_order(document, report):
    written = texts(document)
    position = -1
    for paragraph in report.paragraphs():
        matches = [i for i, text in enumerate(written) if i > position and text.endswith(paragraph.text)]
        assert matches, paragraph.text
        position = matches[0]


def test_missing_figures_stay_visible(document):
    assert f"全社会研发经费支出{MISSING}。" in texts(document)


def test_warnings_are_not_printed(document, report):
    everything = "\n".join(texts(document))

    assert report.warnings[0] not in everything
    assert "警告" not in everything


def test_one_picture_per_chart_each_with_a_caption_below(document):
    written = texts(document)

    assert len(document.inline_shapes) == 2
    assert [t for t in written if t.startswith("图")] == ["图1  R&D经费投入强度", "图2  各区高新技术企业数量"]
    picture = next(i for i, p in enumerate(document.paragraphs) if p._p.xpath(".//pic:pic"))
    assert written[picture + 1] == "图1  R&D经费投入强度"


def test_the_picture_line_is_not_clipped_by_the_fixed_body_line(document):
    picture = next(p for p in document.paragraphs if p._p.xpath(".//pic:pic"))

    assert picture.style.paragraph_format.line_spacing_rule != WD_LINE_SPACING.EXACTLY
    assert picture.style.paragraph_format.first_line_indent.pt == 0


def test_tables_are_captioned_and_numbered_through_the_appendix(document):
    assert [t for t in texts(document) if t.startswith("表")] == ["表1  各区高新技术企业数量", "表2  主要科技指标"]


def test_table_cells_hold_the_content(document, report):
    body_table, appendix_table = document.tables
    expected = report.sections[1].blocks[2]

    assert [[c.text for c in row.cells] for row in body_table.rows] == [expected.headers, *expected.rows]
    assert [c.text for c in appendix_table.rows[2].cells] == ["高新技术企业（家）", "8,642", "9,845"]


def test_table_header_is_bold_and_repeats_and_numbers_are_right_aligned(document):
    table = document.tables[0]
    header, first = table.rows[0], table.rows[1]

    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.paragraphs[0].alignment for c in first.cells] == [
        None, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.RIGHT]
    assert table.style.name == "Table Grid"


def test_table_text_is_fangsong_small_four(document):
    style = document.tables[0].rows[1].cells[0].paragraphs[0].style

    assert (east_asia_font(style), size_pt(style)) == ("仿宋_GB2312", 12)


def test_table_note_is_printed_under_its_table(document):
    assert "数据来源：高企认定库。" in texts(document)


def test_the_appendix_starts_on_a_new_page(document):
    annex = paragraph_of(document, "附件")

    assert annex.paragraph_format.page_break_before
    assert east_asia_font(annex.style) == "黑体"
    assert texts(document).index("附件") < texts(document).index("表2  主要科技指标")


def test_page_numbers_are_a_page_field_between_dashes_at_the_outer_edge(document):
    section = document.sections[0]

    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —"  # "1" is the field's cached result; Word and LibreOffice recompute it
        assert [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]
        assert paragraph.alignment == align
        assert east_asia_font(paragraph.style) == "宋体" and size_pt(paragraph.style) == 14


def test_the_same_content_gives_the_same_bytes(docx_bytes, report):
    assert render_docx(report) == docx_bytes


def test_document_dates_come_from_the_as_of_date(document):
    properties = document.core_properties

    assert properties.created.date().isoformat() == properties.modified.date().isoformat() == "2024-12-31"
    assert properties.title == "南京市科学技术局2024年工作总结"


def test_a_report_without_charts_tables_or_appendix_still_renders():
    report = Report(title="某区2024年工作总结", region="320102", region_name="玄武区", year=2024, as_of="2025-01-15",
                    sections=[Section("s", "主要指标完成情况", [Paragraph("p", "正文。")])])
    document = Document(io.BytesIO(render_docx(report)))

    assert texts(document) == ["某区2024年工作总结", "玄武区　数据截至2025年1月15日", "一、主要指标完成情况", "正文。"]
    assert not document.inline_shapes and not document.tables
