"""Excel import of reported figures: the core pipeline (all-or-nothing, per-row errors, scope re-check), then the
derived figures refreshed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kechuang.core.testing.personas import DISTRICT_A, DISTRICT_B
from kechuang.core.tests.fixtures_xlsx import make_workbook
from kechuang.indicators.models import IndicatorValue
from kechuang.indicators.tests.conftest import YEAR, put, stored

HEADER = ("指标", "区划代码", "年度", "统计期", "数值", "说明")
URL = "/indicators/values/import/"


def upload(client, path):
    with path.open("rb") as handle:
        return client.post(URL, {"file": handle})


def test_import_stores_reported_figures_and_refreshes_derived(cast, client_as, tmp_path):
    book = make_workbook(tmp_path / "values.xlsx", [
        HEADER,
        ("rd_expenditure", DISTRICT_A, YEAR, "", 45, "统计局快报"),
        ("地区生产总值", DISTRICT_A, YEAR, "", 1500, ""),
        ("gdp", DISTRICT_B, YEAR, "Q3", "612.5", ""),
    ])
    response = upload(client_as("city_officer"), book)
    assert response.status_code == 200, response.content.decode()[-800:]
    row = IndicatorValue.objects.get(indicator__code="rd_expenditure", region_id=DISTRICT_A, year=YEAR)
    assert (row.value, row.origin, row.note) == (Decimal("45"), "imported", "统计局快报")
    assert stored("gdp", DISTRICT_B, period="Q3") == Decimal("612.5")
    assert stored("rd_intensity", DISTRICT_A) == Decimal("3")  # 45 / 1500 × 100, refreshed after the import


@pytest.mark.parametrize(("row", "message"), [
    (("hnte_total", DISTRICT_A, YEAR, "", 5, ""), "不能导入"),
    (("no_such_code", DISTRICT_A, YEAR, "", 5, ""), "不存在"),
    (("gdp", DISTRICT_A, YEAR, "Q5", 5, ""), "统计期"),
    (("gdp", DISTRICT_A, YEAR, "", "一千", ""), "数值"),
    (("gdp", DISTRICT_A, YEAR, "", -3, ""), "负数"),
])
def test_one_bad_row_writes_nothing_and_is_reported(cast, client_as, tmp_path, row, message):
    book = make_workbook(tmp_path / "bad.xlsx", [HEADER, ("gdp", DISTRICT_B, YEAR, "", 800, ""), row])
    response = upload(client_as("city_officer"), book)
    text = response.content.decode()
    assert response.status_code == 400
    assert "第 3 行" in text and message in text
    assert not IndicatorValue.objects.exists()


def test_a_frozen_figure_cannot_be_overwritten_by_import(cast, client_as, tmp_path):
    frozen = put("gdp", DISTRICT_A, 1200)
    IndicatorValue.objects.filter(pk=frozen.pk).update(frozen=True)
    book = make_workbook(tmp_path / "frozen.xlsx", [HEADER, ("gdp", DISTRICT_A, YEAR, "", 1300, "")])
    response = upload(client_as("city_officer"), book)
    assert response.status_code == 400 and "已冻结" in response.content.decode()
    assert stored("gdp", DISTRICT_A) == Decimal(1200)


def test_a_row_outside_the_importers_scope_refuses_the_whole_file(cast, client_as, tmp_path):
    book = make_workbook(tmp_path / "scope.xlsx", [HEADER, ("gdp", DISTRICT_A, YEAR, "", 1200, ""),
                                                    ("gdp", DISTRICT_B, YEAR, "", 800, "")])
    response = upload(client_as("district_a_officer"), book)
    assert response.status_code == 400 and "管辖范围" in response.content.decode()
    assert not IndicatorValue.objects.exists()
    assert client_as("leader").get(URL).status_code == 403  # read-only role: no import right
