"""The statistical workbook (统计工作簿): read back with python-calamine, every figure equals what
`region_figures` returns; growth, points, ranks and ties, missing data, sheets, determinism, scope, printing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from python_calamine import CalamineWorkbook

from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B, STREET_A
from kechuang.indicators.figures import region_figures
from kechuang.indicators.tests.conftest import END, YEAR, indicator, put
from kechuang.regions.models import Region
from kechuang.reports.builder import ReportError
from kechuang.reports.content import MISSING
from kechuang.reports.workbook import statistical_workbook

YEARS = [YEAR - 4, YEAR - 3, YEAR - 2, YEAR - 1, YEAR]
CHANGE, RANK, NOTE = 1 + len(YEARS), 2 + len(YEARS), 3 + len(YEARS)


def sheets(data: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def block(rows: list[list], code: str) -> dict[str, list]:
    """The rows of an indicator's block, by region name."""
    chosen = indicator(code)
    start = next(i for i, row in enumerate(rows) if row[0] == f"{chosen.name}（{chosen.unit}）")
    found = {}
    for row in rows[start + 1:]:
        if not row[0]:
            break
        found[row[0]] = row
    return found


@pytest.fixture
def city_data(cast):
    """Nanjing and its two districts: R&D expenditure over five years (秦淮区 has no 2024 figure), R&D intensity
    (a percentage: changes in points; the districts tie), 高企 counts with a zero base for 秦淮区."""
    for offset, (city, a, b) in enumerate([(80, 30, 20), (90, 33, 25), (95, 35, 28), (100, 40, 30)]):
        put("rd_expenditure", CITY, city, year=YEAR - 4 + offset)
        put("rd_expenditure", DISTRICT_A, a, year=YEAR - 4 + offset)
        put("rd_expenditure", DISTRICT_B, b, year=YEAR - 4 + offset)
    put("rd_expenditure", CITY, 110)
    put("rd_expenditure", DISTRICT_A, 50)
    for region, before, now in ((CITY, "2.50", "2.73"), (DISTRICT_A, "3.10", "3.00"), (DISTRICT_B, "2.80", "3.00")):
        put("rd_intensity", region, before, year=YEAR - 1)
        put("rd_intensity", region, now)
    for region, before, now in ((CITY, 120, 150), (DISTRICT_A, 100, 130), (DISTRICT_B, 0, 20)):
        put("hnte_total", region, before, year=YEAR - 1)
        put("hnte_total", region, now)
    return cast


def test_it_has_a_notes_sheet_then_one_sheet_per_group_with_data(city_data):
    data, _hash = statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)
    book = sheets(data)
    assert list(book) == ["说明", "研发投入", "科技企业培育"]
    title = f"南京市{YEAR}年科技统计工作簿（数据截至 {END.isoformat()}）"
    assert all(rows[0][0] == title for rows in book.values())
    assert book["研发投入"][1] == ["地区", *[f"{y}年" for y in YEARS], "增速/变化", "排名", "备注"]


def test_every_figure_equals_what_region_figures_returns(city_data):
    regions = [city_data.regions[code] for code in (CITY, DISTRICT_A, DISTRICT_B)]
    book = sheets(statistical_workbook(regions[0], YEAR, as_of=END)[0])
    checked = 0
    for sheet, code in (("研发投入", "rd_expenditure"), ("研发投入", "rd_intensity"), ("科技企业培育", "hnte_total")):
        rows = block(book[sheet], code)
        assert list(rows) == ["南京市", "玄武区", "秦淮区"]
        for column, year in enumerate(YEARS, start=1):
            for figure in region_figures(indicator(code), regions, year, END):
                cell = rows[figure.region.name][column]
                assert cell == (MISSING if figure.value is None else float(figure.value)), (code, year, figure)
                checked += 1
    assert checked == 3 * 3 * len(YEARS)


def test_growth_is_a_rate_and_a_percentage_changes_in_points(city_data):
    book = sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0])
    assert block(book["研发投入"], "rd_expenditure")["南京市"][CHANGE] == pytest.approx(10.0)
    assert block(book["研发投入"], "rd_expenditure")["玄武区"][CHANGE] == pytest.approx(25.0)
    intensity = block(book["研发投入"], "rd_intensity")
    assert intensity["南京市"][CHANGE] == pytest.approx(0.23)
    assert intensity["玄武区"][CHANGE] == pytest.approx(-0.10)


def test_the_change_formats_carry_their_unit(city_data):
    data, _hash = statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert "个百分点" in styles and '"%"' in styles.replace("&quot;", '"')


def test_a_zero_base_leaves_the_growth_blank_with_its_reason(city_data):
    rows = block(sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0])["科技企业培育"],
                 "hnte_total")
    assert rows["秦淮区"][CHANGE] == ""
    assert "上年基数为零" in rows["秦淮区"][NOTE]
    assert rows["玄武区"][CHANGE] == pytest.approx(30.0)


def test_ties_share_a_rank_written_bingli(city_data):
    rows = block(sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0])["研发投入"],
                 "rd_intensity")
    assert rows["玄武区"][RANK] == rows["秦淮区"][RANK] == "并列1"
    assert rows["南京市"][RANK] == ""  # the region itself is not ranked among its children


def test_ranks_follow_the_last_year(city_data):
    rows = block(sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0])["科技企业培育"],
                 "hnte_total")
    assert (rows["玄武区"][RANK], rows["秦淮区"][RANK]) == (1, 2)


def test_a_missing_figure_is_marked_never_zero(city_data):
    rows = block(sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0])["研发投入"],
                 "rd_expenditure")
    qinhuai = rows["秦淮区"]
    assert qinhuai[len(YEARS)] == MISSING
    assert qinhuai[CHANGE] == "" and qinhuai[RANK] == ""
    assert rows["玄武区"][RANK] == 1  # ranked alone: the missing region takes no place
    assert qinhuai[1:len(YEARS)] == [20.0, 25.0, 28.0, 30.0]


def test_a_figure_not_yet_known_on_the_as_of_date_is_left_out(city_data):
    earlier = date(YEAR, 6, 30)
    put("gdp", CITY, 8000, period="Q2")  # the half-year GDP is known on 30 June; the annual R&D figures are not
    rows = block(sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=earlier)[0])["研发投入"],
                 "rd_expenditure")
    assert rows["南京市"][len(YEARS)] == MISSING
    assert rows["南京市"][len(YEARS) - 1] == 100.0


def test_a_sub_annual_figure_says_which_period_it_is(city_data):
    put("tech_contract_turnover", CITY, "12.5", period="Q3")
    rows = block(sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0])["技术市场"],
                 "tech_contract_turnover")
    assert rows["南京市"][len(YEARS)] == 12.5
    assert f"{YEAR}年1—9月为累计数" in rows["南京市"][NOTE]


def test_the_hash_depends_only_on_the_figures_known_on_the_as_of_date(city_data):
    city = city_data.regions[CITY]
    first, first_hash = statistical_workbook(city, YEAR, as_of=END)
    again, again_hash = statistical_workbook(city, YEAR, as_of=END)
    assert (first_hash, first) == (again_hash, again)  # the bytes too: the created date is the as-of date
    put("rd_expenditure", DISTRICT_B, 31, as_of=END + timedelta(days=1))  # known only after the as-of date
    assert statistical_workbook(city, YEAR, as_of=END)[1] == first_hash
    Region.objects.filter(code=DISTRICT_A).update(name="玄武区（新）")
    assert statistical_workbook(city, YEAR, as_of=END)[1] != first_hash


def test_a_district_officer_gets_only_its_district_subtree(city_data):
    put("rd_expenditure", STREET_A, 5)
    officer = city_data.district_a_officer
    book = sheets(statistical_workbook(city_data.regions[DISTRICT_A], YEAR, as_of=END, user=officer)[0])
    assert list(block(book["研发投入"], "rd_expenditure")) == ["玄武区", "梅园新村街道"]
    assert "秦淮区" not in str(book) and "南京市" not in str(book)


def test_a_region_outside_the_readers_scope_is_refused(city_data):
    # statistical_workbook itself refuses (builder.check_request), so the CLI, the web view and the service get
    # the same refusal; the web view turns PermissionDenied into 403/404.
    with pytest.raises(PermissionDenied):
        statistical_workbook(city_data.regions[CITY], YEAR, as_of=END, user=city_data.district_a_officer)
    with pytest.raises(PermissionDenied):
        statistical_workbook(city_data.regions[DISTRICT_B], YEAR, as_of=END, user=city_data.district_a_officer)


def test_a_reader_sees_only_rows_of_its_scope(city_data):
    """A city officer's workbook of the city lists both districts; no-one's rows leak across the tree."""
    book = sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END, user=city_data.city_officer)[0])
    assert list(block(book["研发投入"], "rd_expenditure")) == ["南京市", "玄武区", "秦淮区"]


def test_bad_input_gives_a_clear_message_and_no_file(city_data):
    city = city_data.regions[CITY]
    with pytest.raises(ReportError, match="晚于今天"):
        statistical_workbook(city, YEAR, as_of=date.today() + timedelta(days=2))
    with pytest.raises(ReportError, match="没有任何指标数据"):
        statistical_workbook(city, YEAR - 10, as_of=date(YEAR - 10, 12, 31))


def test_the_notes_sheet_lists_each_indicators_definition_and_source(city_data):
    notes = sheets(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0])["说明"]
    rd = indicator("rd_expenditure")
    line = next(row for row in notes if row[1] == rd.name)
    assert line[3] == rd.definition and line[4] == rd.source and line[7] == "已列表"
    gdp = next(row for row in notes if row[1] == indicator("gdp").name)
    assert gdp[7] == "本期无数据，未列表"


def test_text_never_becomes_a_formula(city_data):
    Region.objects.filter(code=DISTRICT_A).update(name="=HYPERLINK(\"http://x\",\"x\")")
    data, _hash = statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert all("<f>" not in archive.read(name).decode() for name in archive.namelist()
               if name.startswith("xl/worksheets/"))
    assert '=HYPERLINK("http://x","x")' in block(sheets(data)["研发投入"], "rd_expenditure")


def test_it_is_formatted_for_printing(city_data):
    data, _hash = statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.read("xl/worksheets/sheet2.xml").decode()
    assert 'orientation="landscape"' in sheet and 'paperSize="9"' in sheet
    # one page wide (fitToWidth defaults to 1 and is left out), as many pages tall as needed
    assert '<pageSetUpPr fitToPage="1"/>' in sheet and 'fitToHeight="0"' in sheet and "fitToWidth" not in sheet
    assert 'state="frozen"' in sheet and "第 &amp;P 页" in sheet
    names = archive.read("xl/workbook.xml").decode()
    assert "_xlnm.Print_Titles" in names and "研发投入!$1:$2" in names
    assert "#,##0.00" in archive.read("xl/styles.xml").decode()
    opened = openpyxl.load_workbook(io.BytesIO(data))  # a second reader accepts the file as written
    assert opened["研发投入"].freeze_panes == "B3" and opened["研发投入"].page_setup.orientation == "landscape"


def test_the_decimals_of_the_indicator_set_the_number_format(city_data):
    archive = zipfile.ZipFile(io.BytesIO(statistical_workbook(city_data.regions[CITY], YEAR, as_of=END)[0]))
    styles = archive.read("xl/styles.xml").decode()
    assert 'formatCode="#,##0"' in styles  # 高企数: 0 decimals
    assert 'formatCode="#,##0.00"' in styles  # 亿元, %: 2 decimals
    assert indicator("hnte_total").decimals == 0 and indicator("rd_expenditure").decimals == 2
