"""The pre-review pages: manual pre-review (门诊式预审) of typed facts; scope of the enterprise pages."""

import pytest

FACTS = {"employees": "120", "tech_staff": "20", "sales_revenue": "3000", "total_assets": "2500",
         "total_cost": "2800", "rd_expense": "180", "class1_ip": "1", "class2_ip": "0", "industry": "65",
         "resident_enterprise": "true", "not_restricted_industry": "true", "integrity_ok": "true",
         "as_of": "2024-06-01"}


def test_manual_pre_review_assesses_the_typed_facts(client_as):
    client = client_as("district_a_officer")
    response = client.get("/eligibility/assess/tech_sme/", FACTS)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-eligible="true"' in page and "88 分" in page


def test_manual_pre_review_shows_the_shortfall_in_plain_chinese(client_as):
    page = client_as("district_a_officer").get(
        "/eligibility/assess/tech_sme/", {**FACTS, "employees": "50", "tech_staff": "4"}).content.decode()
    assert 'data-eligible="false"' in page
    assert "科技人员还差 1 人" in page


def test_an_empty_field_is_missing_not_zero(client_as):
    page = client_as("district_a_officer").get(
        "/eligibility/assess/tech_sme/", {**FACTS, "rd_expense": ""}).content.decode()
    assert 'data-eligible="null"' in page and "缺少数据" in page and "rd_expense" in page


def test_a_negative_figure_is_a_form_error_and_nothing_is_assessed(client_as):
    page = client_as("district_a_officer").get(
        "/eligibility/assess/tech_sme/", {**FACTS, "employees": "-3"}).content.decode()
    assert "kc-assessment" not in page and "invalid-feedback" in page


def test_an_unknown_programme_is_404(client_as):
    assert client_as("district_a_officer").get("/eligibility/assess/nope/").status_code == 404


@pytest.mark.parametrize("persona, status", [("district_a_officer", 200), ("enterprise_user", 200),
                                             ("audit_admin", 403), ("expert", 403)])
def test_who_may_open_the_pre_review(client_as, persona, status):
    assert client_as(persona).get("/eligibility/").status_code == status


def test_an_enterprise_user_goes_straight_to_its_own_self_check(cast, client_as):
    from kechuang.accounts.models import RoleAssignment
    from kechuang.core.testing.personas import STREET_A
    from kechuang.enterprises.testing import make_enterprise

    own = make_enterprise("自家科技", STREET_A, 1)
    make_enterprise("别家科技", STREET_A, 2)
    RoleAssignment.objects.filter(user=cast.users["enterprise_user"]).update(enterprise=own)
    response = client_as("enterprise_user").get("/eligibility/")
    assert response.status_code == 302 and response.url == f"/eligibility/enterprises/{own.pk}/"


def test_an_enterprise_outside_the_scope_is_404(client_as):
    from kechuang.core.testing.personas import STREET_B
    from kechuang.enterprises.testing import make_enterprise

    other = make_enterprise("外区科技", STREET_B, 3)
    assert client_as("street_a_officer").get(f"/eligibility/enterprises/{other.pk}/").status_code == 404


def test_a_structured_fact_is_entered_as_json(client_as):
    """研发费用加计扣除: the projects list is a JSON box; the cap is computed across the projects."""
    projects = '[{"personnel": 500, "direct_input": 400, "other": 150}]'
    page = client_as("district_a_officer").get("/eligibility/assess/rd_deduction/", {
        "projects": projects, "industry": "39", "commissioned_domestic": "0", "commissioned_overseas": "0",
        "as_of": "2024-06-01"}).content.decode()
    assert "kc-assessment" in page, page[:3000]
    assert "1000" in page  # RULES §3 例1: base 1000万, extra deduction 1000万
