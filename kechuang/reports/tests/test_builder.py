"""The annual report's content from stored data: sections, phrasing on real figures, bad input, reproducibility,
versions and edits, a bureau's templates, and the command line's JSON."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B
from kechuang.indicators.tests.conftest import put
from kechuang.regions.models import Region
from kechuang.reports.builder import ReportError, build_annual_report
from kechuang.reports.models import ReportVersion, SentenceTemplate
from kechuang.reports.services import apply_edits, save_version
from kechuang.reports.tests.conftest import END, YEAR


def paragraph(report, key):
    return next(p for p in report.paragraphs() if p.key == key)


def test_sections_and_the_main_indicator_sentences(data):
    report = build_annual_report(Region.objects.get(code=DISTRICT_B), YEAR, as_of=END)
    assert [s.title for s in report.sections] == ["主要指标完成情况", "科技企业梯队培育", "存在问题", "2025年工作目标"]
    # 24 vs 26: −7.7 %; 24 / 28 = 85.7 %; among the city's two districts B is second and last
    assert paragraph(report, "indicators.rd_expenditure").text == (
        "全社会R&D经费支出24.00亿元，同比下降7.7%，完成年度目标的85.7%，居全市各区（县）末位。")
    # 24 / 800 = 3.00 % = 36 / 1200: a tie for first; 2023: 26 / 800 = 3.25 % → −0.25 points
    assert paragraph(report, "indicators.rd_intensity").text == (
        "R&D经费投入强度3.00%，比上年下降0.25个百分点，与其他地区并列全市各区（县）第一。")
    problems = [p.text for p in report.sections[2].blocks]
    assert "全社会R&D经费支出未完成年度目标，仅完成85.7%。" in problems
    assert "全社会R&D经费支出同比下降7.7%。" in problems
    assert paragraph(report, "next_year.none").text == "2025年目标尚未下达，待确定后补充。"
    city = build_annual_report(Region.objects.get(code=CITY), YEAR, as_of=END)
    assert paragraph(city, "next_year.rd_expenditure").text == "全社会R&D经费支出：70.00亿元。"


def test_missing_figures_are_visible_and_warned(data):
    report = build_annual_report(Region.objects.get(code=DISTRICT_A), YEAR, as_of=END)
    hightech = paragraph(report, "indicators.hightech_value_added")
    assert hightech.text == "高新技术产业增加值（数据暂缺）。"
    assert "“高新技术产业增加值”2024年数据暂缺。" in report.warnings


def test_every_quoted_number_names_its_source(data):
    report = build_annual_report(Region.objects.get(code=CITY), YEAR, as_of=END)
    for figure in report.figures():
        assert figure.source and figure.text in " ".join(p.text for p in report.paragraphs())
    value = next(f for f in paragraph(report, "indicators.rd_expenditure").figures if f.kind == "value")
    assert value.source == "全社会R&D经费支出 · 南京市 · 2024年 · 人工录入，数据截至 2024-12-31"


def test_bad_input_gives_a_clear_message(data):
    district = Region.objects.get(code=DISTRICT_A)
    with pytest.raises(ReportError, match="晚于今天"):
        build_annual_report(district, YEAR, as_of=date.today() + timedelta(days=1))
    with pytest.raises(ReportError, match="2019年.*没有任何指标数据"):
        build_annual_report(district, 2019, as_of=date(2019, 12, 31))
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        build_annual_report(district, YEAR, as_of=END, user=data.district_b_officer)


def test_same_as_of_same_content_and_later_data_does_not_leak_in(data):
    region = Region.objects.get(code=CITY)
    first = build_annual_report(region, YEAR, as_of=END)
    assert build_annual_report(region, YEAR, as_of=END).content_hash() == first.content_hash()
    with pytest.raises(ReportError, match="没有任何指标数据"):
        build_annual_report(region, YEAR, as_of=date(YEAR, 6, 30))  # the annual figures are dated 31 December
    put("gdp", CITY, 980, period="Q2")
    earlier = build_annual_report(region, YEAR, as_of=date(YEAR, 6, 30))
    assert paragraph(earlier, "indicators.rd_expenditure").text == "全社会R&D经费支出（数据暂缺）。"


def test_edits_become_a_new_version_and_are_flagged(data):
    report = build_annual_report(Region.objects.get(code=CITY), YEAR, as_of=END)
    first = save_version(report, actor=data.city_officer)
    edited = apply_edits(report, {"indicators.rd_expenditure": "全社会研发投入再创新高。"},
                         {"problems": "部分园区统计口径尚待统一。"})
    second = save_version(edited, actor=data.city_officer)
    assert (first.number, second.number) == (1, 2)
    saved = second.report()
    assert paragraph(saved, "indicators.rd_expenditure").edited
    assert saved.sections[2].blocks[-1].text == "部分园区统计口径尚待统一。"
    assert any("已人工修改" in w for w in saved.warnings)
    assert ReportVersion.objects.get(pk=first.pk).report().content_hash() == report.content_hash()


def test_a_bureaus_template_changes_the_wording_for_its_region_only(data):
    SentenceTemplate.objects.create(region_id=CITY, key="change_rise", text="，较上年增长{rate}")
    SentenceTemplate.objects.create(region_id=DISTRICT_A, key="change_rise", text="，增幅{rate}")
    city = build_annual_report(Region.objects.get(code=CITY), YEAR, as_of=END)
    district = build_annual_report(Region.objects.get(code=DISTRICT_A), YEAR, as_of=END)
    assert "较上年增长20.0%" in paragraph(city, "indicators.rd_expenditure").text  # 60 / 50
    assert "增幅20.0%" in paragraph(district, "indicators.rd_expenditure").text  # nearer region wins: 36 / 30


def test_command_json_is_the_built_content(data):
    out = io.StringIO()
    call_command("report", "annual", "--region", DISTRICT_A, "--year", str(YEAR), "--as-of", END.isoformat(),
                 "--json", stdout=out)
    payload = json.loads(out.getvalue())
    built = build_annual_report(Region.objects.get(code=DISTRICT_A), YEAR, as_of=END)
    assert payload["content_hash"] == built.content_hash()
    assert payload["sections"][0]["blocks"][0]["figures"][0]["source"].startswith("全社会R&D经费支出 · 玄武区")


@pytest.mark.parametrize(("args", "message"), [
    (("--region", "99", "--year", "2024", "--json"), "--region"),
    (("--region", CITY, "--year", "2019", "--json"), "没有任何指标数据"),
    (("--region", CITY, "--year", "2024", "--as-of", "2999-01-01", "--json"), "晚于今天"),
    (("--region", CITY, "--year", "2024", "--as-of", "2024-13-01", "--json"), "--as-of"),
    (("--region", CITY, "--year", "2024"), "--out"),
])
def test_command_bad_input_exits_2_and_writes_nothing(data, tmp_path, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("report", "annual", *args, stdout=io.StringIO())
    assert caught.value.returncode == 2 and message in str(caught.value)
    assert not list(tmp_path.iterdir())


def test_pages_preview_save_edit_and_scope(data, client_as):
    officer = client_as("city_officer")
    response = officer.get("/reports/", {"region": CITY, "year": YEAR, "as_of": END.isoformat()})
    assert response.status_code == 200 and "全社会R&amp;D经费支出60.00亿元" in response.content.decode()
    response = officer.post("/reports/save/", {"region": CITY, "year": YEAR, "as_of": END.isoformat()})
    version = ReportVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == version.get_absolute_url()
    response = officer.post(version.get_absolute_url(), {"p:indicators.rd_expenditure": "改写后的段落。",
                                                         "note": "改写"})
    assert ReportVersion.objects.count() == 2 and response.status_code == 302
    assert client_as("district_b_officer").get(version.get_absolute_url()).status_code == 404
    out_of_scope = client_as("district_b_officer").get("/reports/", {"region": DISTRICT_A, "year": YEAR})
    assert out_of_scope.status_code == 400 and "不在您的管辖范围内" in out_of_scope.content.decode()
    assert client_as("expert").get("/reports/").status_code == 403
    future = client_as("city_officer").get("/reports/", {"region": CITY, "year": YEAR, "as_of": "2999-01-01"})
    assert future.status_code == 400 and "不能晚于今天" in future.content.decode()
    templates = officer.post("/reports/templates/", {"region": CITY, "key": "change_rise", "text": "，增长{bad}"})
    assert templates.status_code == 302 and not SentenceTemplate.objects.exists()
    officer.post("/reports/templates/", {"region": CITY, "key": "change_rise", "text": "，增长{rate}"})
    assert SentenceTemplate.objects.get().text == "，增长{rate}"


def test_word_from_a_saved_version_is_recorded_with_its_hash(data, client_as):
    from docx import Document

    from kechuang.reports.models import GeneratedDocument

    report = build_annual_report(Region.objects.get(code=CITY), YEAR, as_of=END)
    edited = apply_edits(report, {"indicators.rd_expenditure": "研发投入稳步增长。"})
    version = save_version(edited, actor=data.city_officer)
    response = client_as("city_officer").get(version.get_absolute_url(), {"download": "docx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "研发投入稳步增长。" in text and "全社会R&D经费支出" not in text.split("研发投入稳步增长。")[0][-30:]
    record = GeneratedDocument.objects.get()
    assert (record.version_id, record.content_hash, record.generated_by) == (version.pk, edited.content_hash(),
                                                                             data.city_officer)
    assert client_as("leader").get(version.get_absolute_url(), {"download": "docx"}).status_code == 200


def test_workbook_from_the_command_and_the_page_is_recorded(data, client_as, tmp_path):
    from python_calamine import CalamineWorkbook

    from kechuang.reports.models import GeneratedDocument

    out = tmp_path / "workbook.xlsx"
    call_command("report", "workbook", "--region", CITY, "--year", str(YEAR), "--as-of", END.isoformat(),
                 "--out", str(out), stdout=io.StringIO())
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names[0] == "说明" and "研发投入" in book.sheet_names
    response = client_as("leader").get("/reports/", {"region": CITY, "year": YEAR, "as_of": END.isoformat(),
                                                     "download": "xlsx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    records = list(GeneratedDocument.objects.values_list("kind", "channel", "content_hash"))
    assert [(k, c) for k, c, _h in records] == [("workbook_xlsx", "web"), ("workbook_xlsx", "cli")]
    assert records[0][2] == records[1][2]  # same as-of date, same content
    refused = client_as("district_b_officer").get("/reports/", {"region": DISTRICT_A, "year": YEAR,
                                                                 "download": "xlsx"})
    assert refused.status_code == 400 and GeneratedDocument.objects.count() == 2
