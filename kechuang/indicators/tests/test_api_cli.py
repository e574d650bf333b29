"""The API (`/api/indicators/`) and the command line (`kechuang indicators …`) give the same figures as the
shared reading code, stay inside the caller's scope, and refuse bad input with a Chinese message (exit 2 / 4xx)."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kechuang.accounts.models import ApiToken
from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B
from kechuang.indicators.figures import region_figures
from kechuang.indicators.models import AssessmentScheme, RedBlackList, SchemeItem
from kechuang.indicators.tests.conftest import END, YEAR, aim, indicator, put
from kechuang.regions.models import Region


@pytest.fixture
def figures(cast):
    """R&D and GDP for the city and its two districts, last year's too, and district targets for R&D."""
    for region, rd, gdp, rd_before in ((CITY, 60, 2000, 50), (DISTRICT_A, 40, 1200, 32), (DISTRICT_B, 20, 800, 20)):
        put("rd_expenditure", region, rd)
        put("gdp", region, gdp)
        put("rd_expenditure", region, rd_before, year=YEAR - 1)
    aim("rd_expenditure", DISTRICT_A, 50)  # 40 / 50 = 80 %
    aim("rd_expenditure", DISTRICT_B, 16)  # 20 / 16 = 125 %
    call_command("indicators", "compute", "--year", str(YEAR), "--region", CITY[:4], "--as-of", END.isoformat(),
                 stdout=io.StringIO())
    return cast


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, '测试')[1]}")


def test_api_figures_equal_the_shared_reading_code(figures):
    response = api(figures.city_officer).get("/api/indicators/figures", {
        "indicator": "rd_expenditure", "region": CITY, "year": YEAR, "as_of": END.isoformat()})
    assert response.status_code == 200
    rows = {row["region"]: row for row in response.json()}
    assert set(rows) == {CITY, DISTRICT_A, DISTRICT_B}
    shared = region_figures(indicator("rd_expenditure"), [Region.objects.get(code=DISTRICT_A)], YEAR, END)[0]
    assert rows[DISTRICT_A]["value"] == f"{shared.value.normalize():f}" == "40"
    assert rows[DISTRICT_A]["change"] == {"kind": "rate", "value": "25", "reason": ""}  # 40 / 32 − 1
    assert rows[DISTRICT_B]["change"]["value"] == "0"  # flat: 20 → 20
    assert rows[DISTRICT_A]["completion"] == "0.8" and rows[DISTRICT_A]["status"] == "red"
    assert rows[DISTRICT_B]["completion"] == "1.25" and rows[DISTRICT_B]["status"] == "green"
    assert rows[DISTRICT_A]["rank"] == {"position": 1, "tied": False, "of": 2}


def test_api_derived_intensity_and_progress(figures):
    progress = api(figures.leader).get("/api/indicators/progress", {"region": DISTRICT_A, "year": YEAR,
                                                                     "as_of": END.isoformat()})
    by_code = {row["indicator"]: row for row in progress.json()}
    assert by_code["rd_intensity"]["value"] == "3.3333"  # 40 / 1200 × 100, stored to 4 places
    assert by_code["rd_intensity"]["origin"] == "derived"


def test_api_refuses_out_of_scope_and_bad_input(figures):
    district = api(figures.district_b_officer)
    assert district.get("/api/indicators/figures", {"indicator": "gdp", "region": DISTRICT_A,
                                                    "year": YEAR}).status_code == 404
    assert district.get("/api/indicators/figures", {"indicator": "gdp", "region": "12x",
                                                    "year": YEAR}).status_code == 422
    future = date.today().replace(year=date.today().year + 1).isoformat()
    response = district.get("/api/indicators/progress", {"region": DISTRICT_B, "year": YEAR, "as_of": future})
    assert response.status_code == 422 and "晚于今天" in response.json()["detail"]
    assert api(figures.expert).get("/api/indicators/progress", {"region": CITY, "year": YEAR}).status_code == 403
    assert district.get("/api/indicators/figures", {"indicator": "nope", "region": DISTRICT_B,
                                                    "year": YEAR}).status_code == 404


def test_api_and_command_give_the_same_red_black_list(figures):
    scheme = AssessmentScheme.objects.create(code="test", name="测试考核", year=YEAR, region_id=CITY,
                                             red_count=1, black_count=1)
    SchemeItem.objects.create(scheme=scheme, indicator=indicator("rd_expenditure"), weight=Decimal(1))
    from_api = api(figures.city_officer).get("/api/indicators/redblack", {
        "scheme": "test", "year": YEAR, "as_of": END.isoformat()}).json()
    out = io.StringIO()
    call_command("indicators", "redblack", "--scheme", "test", "--as-of", END.isoformat(), "--json", stdout=out)
    from_cli = json.loads(out.getvalue())
    assert from_api["lines"] == from_cli["lines"]
    assert [(line["region"], line["band"]) for line in from_cli["lines"]] == [(DISTRICT_B, "red"),
                                                                              (DISTRICT_A, "black")]
    text = io.StringIO()
    call_command("indicators", "redblack", "--scheme", "test", "--as-of", END.isoformat(), "--publish",
                 stdout=text, stderr=io.StringIO())
    published = RedBlackList.objects.get()
    assert "秦淮区" in text.getvalue() and "红榜" in text.getvalue()
    detail = api(figures.leader).get(f"/api/indicators/redblack/{published.pk}").json()
    assert [e["band"] for e in detail["entries"]] == ["red", "black"]
    assert api(figures.district_a_officer).get(f"/api/indicators/redblack/{published.pk}").status_code == 404


def test_compute_command_json_and_counts(figures):
    out = io.StringIO()
    call_command("indicators", "compute", "--year", str(YEAR), "--region", CITY, "--as-of", END.isoformat(),
                 stdout=out)
    assert "新增 0，更新 0" in out.getvalue()  # the fixture already computed the same figures
    out = io.StringIO()
    call_command("indicators", "compute", "--year", str(YEAR), "--region", DISTRICT_A, "--as-of",
                 END.isoformat(), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    intensity = next(f for f in payload["figures"] if f["indicator"] == "rd_intensity")
    assert intensity["region"] == DISTRICT_A and intensity["value"] == "3.3333"


@pytest.mark.parametrize(("args", "message"), [
    (("compute", "--year", "2024", "--period", "Q5"), "--period"),
    (("compute", "--year", "2024", "--region", "99"), "--region"),
    (("compute", "--year", "2024", "--as-of", "2024-13-01"), "--as-of"),
    (("compute", "--year", "2999"), "--year"),
    (("redblack", "--as-of", "2024-12-31"), "--scheme"),
    (("redblack", "--scheme", "none", "--as-of", "2024-12-31"), "--scheme"),
    (("redblack", "--indicator", "gdp", "--as-of", "2024-12-31"), "--year"),
])
def test_bad_input_exits_2_with_a_chinese_message(cast, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("indicators", *args, stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_sync_updates_an_edited_shipped_indicator_with_a_change_log_row(cast):
    from kechuang.audit.models import ObjectChange

    gdp = indicator("gdp")
    gdp.name = "改过的名称"
    gdp.save()
    before = ObjectChange.objects.count()
    out = io.StringIO()
    call_command("indicators", "sync", stdout=out)
    assert "更新 1" in out.getvalue()
    assert indicator("gdp").name == "地区生产总值"
    assert ObjectChange.objects.count() == before + 1
