"""The same assessment from the command line (`kechuang assess`) and the API (POST /api/eligibility/…/assess)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kechuang.accounts.models import ApiToken

FACTS = {"employees": 120, "tech_staff": 20, "sales_revenue": 3000, "total_assets": 2500, "total_cost": 2800,
         "rd_expense": 180, "class1_ip": 1, "class2_ip": 0, "industry": "65", "resident_enterprise": True,
         "not_restricted_industry": True, "integrity_ok": True}


def run_assess(tmp_path, facts, *args):
    path = tmp_path / "facts.json"
    path.write_text(facts if isinstance(facts, str) else json.dumps(facts), encoding="utf-8")
    out = StringIO()
    call_command("assess", *args, "--input", str(path), stdout=out)
    return out.getvalue()


def test_the_command_prints_the_assessment_as_json(tmp_path):
    payload = json.loads(run_assess(tmp_path, FACTS, "tech_sme", "--as-of", "2024-06-01", "--json"))
    assert {"programme", "rules_version", "as_of", "eligible", "score", "points", "checks", "shortfalls"} <= set(payload)
    assert payload["eligible"] is True and payload["score"] == {"low": "88", "high": "88"}
    assert payload["rules_version"].startswith("tech_sme@2017-05-03#")


def test_the_command_prints_plain_chinese_with_shortfalls(tmp_path):
    text = run_assess(tmp_path, {**FACTS, "tech_staff": 4, "employees": 50}, "tech_sme", "--as-of", "2024-06-01")
    assert text.startswith("科技型中小企业评价：不符合")
    assert "科技人员还差 1 人" in text


@pytest.mark.django_db  # an unknown code is looked up among the bureaus' own programmes too
@pytest.mark.parametrize("args, facts, field", [
    (("nope",), FACTS, "nope"),
    (("tech_sme", "--as-of", "2016-12-31"), FACTS, "2017-05-03"),
    (("tech_sme", "--as-of", "2999-01-01"), FACTS, "as_of"),
    (("tech_sme",), {**FACTS, "employees": -5}, "employees"),
    (("tech_sme",), {**FACTS, "employees": "很多"}, "employees"),
    (("tech_sme",), "{not json", "JSON"),
])
def test_bad_input_exits_2_naming_the_field(tmp_path, args, facts, field):
    with pytest.raises(CommandError) as caught:
        run_assess(tmp_path, facts, *args)
    assert caught.value.returncode == 2
    assert field in str(caught.value)


@pytest.fixture
def officer_api(cast):
    raw = ApiToken.issue(cast.users["city_officer"], "测试")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_gives_the_same_assessment(officer_api, tmp_path):
    response = officer_api.post("/api/eligibility/tech_sme/assess", {"facts": FACTS, "as_of": "2024-06-01"},
                                content_type="application/json")
    assert response.status_code == 200
    cli = json.loads(run_assess(tmp_path, FACTS, "tech_sme", "--as-of", "2024-06-01", "--json"))
    assert response.json() == cli


@pytest.mark.parametrize("programme, body, field", [
    ("tech_sme", {"facts": {**FACTS, "employees": -1}, "as_of": "2024-06-01"}, "employees"),
    ("tech_sme", {"facts": {**FACTS, "rd_expence": 1}, "as_of": "2024-06-01"}, "rd_expence"),
    ("tech_sme", {"facts": FACTS, "as_of": "2010-01-01"}, "as_of"),
    ("no_such", {"facts": FACTS}, "programme"),
])
def test_the_api_answers_bad_input_with_422_naming_the_field(officer_api, programme, body, field):
    response = officer_api.post(f"/api/eligibility/{programme}/assess", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["detail"]


def test_an_admin_role_without_business_rights_gets_403(cast):
    raw = ApiToken.issue(cast.users["audit_admin"], "测试")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post("/api/eligibility/tech_sme/assess", {"facts": FACTS}, content_type="application/json")
    assert response.status_code == 403
