"""Whole-round Excel import (整表导入): regions as rows, indicators as columns; all-or-nothing with per-cell errors;
complete regions submitted, incomplete ones kept as drafts; only the organiser may import."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B
from kechuang.core.tests.fixtures_xlsx import make_workbook
from kechuang.indicators import collection
from kechuang.indicators.choices import SubmissionStatus
from kechuang.indicators.models import Submission, SubmissionItem
from kechuang.indicators.tests.conftest import YEAR, indicator, put
from kechuang.regions.models import Region

HEADER = ("区划代码", "区域名称", "技术合同成交额（亿元）", "技术合同成交额说明", "技术合同登记项数")


@pytest.fixture
def open_round(cast):
    return collection.open_round(
        name="测试采集", region=Region.objects.get(code=CITY), year=YEAR, period="Q3",
        indicators=[indicator("tech_contract_turnover"), indicator("tech_contract_count")],
        deadline=date.today() + timedelta(days=10), actor=cast.city_officer)


def post(client, round_, path):
    with path.open("rb") as handle:
        return client.post(f"/indicators/collection/{round_.pk}/", {"action": "import", "file": handle})


def test_template_lists_the_reporting_regions_and_indicators(open_round, client_as):
    response = client_as("city_officer").get(f"/indicators/collection/{open_round.pk}/?template=1")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["区划代码", "区域名称"]
    assert {"技术合同成交额（亿元）", "技术合同成交额说明", "技术合同登记项数（项）"} <= set(rows[0])
    assert sorted(row[0] for row in rows[1:]) == [DISTRICT_A, DISTRICT_B]


def test_a_clean_file_submits_complete_regions_and_keeps_drafts(open_round, client_as, tmp_path):
    put("tech_contract_turnover", DISTRICT_A, 10, year=YEAR - 1, period="Q3")
    book = make_workbook(tmp_path / "round.xlsx", [
        HEADER,
        (DISTRICT_A, "玄武区", 15, "重大项目集中登记", 120),  # +50 % explained → submitted
        (DISTRICT_B, "秦淮区", 8, "", None),                 # count missing → draft
    ])
    response = post(client_as("city_officer"), open_round, book)
    assert response.status_code == 200
    a = Submission.objects.get(collection_round=open_round, region_id=DISTRICT_A)
    b = Submission.objects.get(collection_round=open_round, region_id=DISTRICT_B)
    assert a.status == SubmissionStatus.SUBMITTED and b.status == SubmissionStatus.DRAFT
    item = SubmissionItem.objects.get(submission=a, indicator__code="tech_contract_turnover")
    assert (item.value, item.explanation) == (Decimal(15), "重大项目集中登记")
    assert "技术合同登记项数”未填写" in response.content.decode()


def test_one_bad_cell_writes_nothing(open_round, client_as, tmp_path):
    book = make_workbook(tmp_path / "bad.xlsx", [
        HEADER,
        (DISTRICT_A, "玄武区", 15, "", 120),
        (DISTRICT_B, "秦淮区", "八亿", "", 30),
        ("320200000000", "无锡市", 1, "", 1),
    ])
    response = post(client_as("city_officer"), open_round, book)
    text = response.content.decode()
    assert response.status_code == 400
    assert "第 3 行 · 技术合同成交额（亿元）" in text and "不是数字" in text
    assert "第 4 行 · 区划代码" in text and "不是本轮的报送区域" in text
    assert not SubmissionItem.objects.exists()
    assert not Submission.objects.exclude(status=SubmissionStatus.DRAFT).exists()


def test_a_missing_column_rejects_the_file(open_round, client_as, tmp_path):
    book = make_workbook(tmp_path / "cols.xlsx", [("区划代码", "技术合同成交额"), (DISTRICT_A, 3)])
    response = post(client_as("city_officer"), open_round, book)
    assert "缺少“技术合同登记项数”列" in response.content.decode()
    assert not SubmissionItem.objects.exists()


def test_only_the_organiser_imports_and_not_after_closing(open_round, client_as, tmp_path, cast):
    book = make_workbook(tmp_path / "round.xlsx", [HEADER, (DISTRICT_A, "玄武区", 15, "", 120)])
    response = post(client_as("district_a_officer"), open_round, book)
    assert response.status_code == 404  # the district cannot even see the city's round
    collection.close_round(open_round, actor=cast.city_officer)
    response = post(client_as("city_officer"), open_round, book)
    assert "已关闭" in response.content.decode()
    assert not SubmissionItem.objects.exists()
