"""The annual-data, IP and qualification pages name their enterprise by its 统一社会信用代码, resolved within the
user's scope: no <select> of a city's every enterprise, and no way to learn whether an out-of-scope code exists."""

from datetime import date

import pytest

from kechuang.core.testing.personas import STREET_A, STREET_B
from kechuang.enterprises.models import EnterpriseYear, IntellectualProperty, Qualification, QualificationKind
from kechuang.enterprises.services import ensure_builtin_kinds
from kechuang.enterprises.testing import make_enterprise, make_uscc

NOT_FOUND = "在您的管辖范围内没有统一社会信用代码为 {} 的企业。"


@pytest.fixture
def firms(cast):
    return make_enterprise("甲科技", STREET_A, 1), make_enterprise("乙科技", STREET_B, 2)


def enterprise_errors(response):
    assert response.status_code == 200, "the form should have been refused"
    return response.context["form"].errors["enterprise"]


def test_an_officer_enters_annual_data_by_credit_code(firms, client_as):
    own, _other = firms
    typed = f"  {own.uscc.lower()} "  # spaces and lower case are forgiven
    response = client_as("district_a_officer").post("/enterprises/years/add/", {
        "enterprise": typed, "year": 2024, "employees": 30})
    assert response.status_code == 302
    assert EnterpriseYear.objects.get(year=2024).enterprise == own


def test_an_out_of_scope_code_reads_exactly_like_an_unknown_one(firms, client_as):
    _own, other = firms
    unknown = make_uscc(99)  # well formed, but no enterprise has it
    client = client_as("district_a_officer")
    for url, data in (("/enterprises/years/add/", {"year": 2024}),
                      ("/enterprises/ip/add/", {"ip_type": "software", "number": "2024SR9", "title": "软件",
                                                "status": "valid"})):
        out_of_scope = enterprise_errors(client.post(url, {"enterprise": other.uscc, **data}))
        missing = enterprise_errors(client.post(url, {"enterprise": unknown, **data}))
        assert out_of_scope == [NOT_FOUND.format(other.uscc)]
        assert missing == [NOT_FOUND.format(unknown)]
    assert not EnterpriseYear.objects.exists() and not IntellectualProperty.objects.exists()


def test_a_malformed_code_is_told_what_is_wrong(firms, client_as):
    response = client_as("district_a_officer").post("/enterprises/years/add/", {
        "enterprise": "91320102", "year": 2024})
    assert enterprise_errors(response) == ["统一社会信用代码应为 18 位，实际为 8 位。"]


def test_an_officer_records_a_qualification_by_credit_code(firms, client_as):
    own, other = firms
    ensure_builtin_kinds(actor=None)
    data = {"kind": QualificationKind.objects.get(code="tsme").pk, "number": "2025320102A0001",
            "granted_on": "2025-04-01", "valid_from": "2025-04-01", "status": "valid"}
    client = client_as("district_a_officer")
    assert enterprise_errors(client.post("/enterprises/qualifications/add/", {"enterprise": other.uscc, **data}))
    response = client.post("/enterprises/qualifications/add/", {"enterprise": own.uscc, **data})
    assert response.status_code == 302
    assert Qualification.objects.get().enterprise == own


def test_the_form_is_a_text_input_showing_the_code_of_an_enterprise_in_scope(firms, client_as):
    own, other = firms
    client = client_as("district_a_officer")
    body = client.get("/enterprises/years/add/", {"enterprise": own.pk}).content.decode()
    assert f'name="enterprise" value="{own.uscc}"' in body and 'type="text"' in body
    assert "甲科技" not in body and "<option" not in body.split('name="enterprise"')[1].split(">")[0]
    # an id from the query string outside the scope shows nothing (not even its code)
    body = client.get("/enterprises/years/add/", {"enterprise": other.pk}).content.decode()
    assert other.uscc not in body
    year = EnterpriseYear.objects.create(enterprise=own, year=2023, employees=5)
    body = client.get(f"/enterprises/years/{year.pk}/edit/").content.decode()
    assert f'name="enterprise" value="{own.uscc}"' in body


def test_an_edit_cannot_move_a_row_to_an_enterprise_out_of_scope(firms, client_as):
    own, other = firms
    year = EnterpriseYear.objects.create(enterprise=own, year=2023, employees=5)
    response = client_as("district_a_officer").post(f"/enterprises/years/{year.pk}/edit/", {
        "enterprise": other.uscc, "year": 2023, "employees": 6})
    assert enterprise_errors(response) == [NOT_FOUND.format(other.uscc)]
    year.refresh_from_db()
    assert (year.enterprise, year.employees) == (own, 5)


def test_the_city_officer_may_name_any_enterprise_of_the_city(firms, client_as):
    _own, other = firms
    response = client_as("city_officer").post("/enterprises/ip/add/", {
        "enterprise": other.uscc, "ip_type": "software", "number": "2024SR1", "title": "管理软件",
        "status": "valid", "granted_on": str(date(2024, 5, 1))})
    assert response.status_code == 302
    assert IntellectualProperty.objects.get().enterprise == other
