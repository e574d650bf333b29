"""The enterprise registry's API: same filters and scopes as the pages, masked contacts, and the enterprise
user's own-enterprise rights (read and edit it, submit its annual data; nothing else)."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from kechuang.accounts.models import ApiToken, RoleAssignment
from kechuang.audit.models import ObjectChange
from kechuang.core.testing.personas import STREET_A, STREET_B, make_user
from kechuang.enterprises.models import Enterprise, EnterpriseYear, Qualification, QualificationKind
from kechuang.enterprises.testing import grant, make_enterprise, make_uscc

TODAY = date(2025, 6, 30)


def api(persona_or_user, cast=None):
    """Return a function calling the API with a token of the persona (a name) or a user."""
    user = cast.users[persona_or_user] if isinstance(persona_or_user, str) else persona_or_user
    raw = ApiToken.issue(user, "测试")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def call(method, path, body=None, **params):
        if method == "get":
            return client.get(path, params)
        return getattr(client, method)(path, body, content_type="application/json")

    return call


@pytest.fixture
def firms(cast):
    a = make_enterprise("甲科技", STREET_A, 1, contact_name="王五", contact_phone="13812345678")
    b = make_enterprise("乙科技", STREET_A, 2)
    c = make_enterprise("丙科技", STREET_B, 3)
    grant(a, "hnte", date(2023, 11, 6))
    grant(c, "hnte", date(2023, 11, 6))
    return a, b, c


@pytest.fixture
def as_enterprise_a(cast, firms):
    user = make_user("ent_a")
    RoleAssignment.objects.create(user=user, role="enterprise_user", enterprise=firms[0])
    return api(user)


def names(response):
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


def test_the_enterprise_api_lists_the_scope_with_the_list_pages_filters(cast, firms):
    district = api("district_a_officer", cast)
    assert names(district("get", "/api/enterprises/")) == {"甲科技", "乙科技"}
    with time_machine.travel(TODAY):
        assert names(api("city_officer", cast)("get", "/api/enterprises/", rung="hnte")) == {"甲科技", "丙科技"}
        assert names(district("get", "/api/enterprises/", rung="hnte")) == {"甲科技"}
    assert names(district("get", "/api/enterprises/", q="乙")) == {"乙科技"}


def test_an_enterprise_outside_the_scope_is_404(cast, firms):
    response = api("district_a_officer", cast)("get", f"/api/enterprises/{firms[2].pk}")
    assert response.status_code == 404


def test_contacts_are_masked_in_the_api(cast, firms):
    response = api("city_officer", cast)("get", f"/api/enterprises/{firms[0].pk}")
    assert response.json()["contact_phone"] == "138****5678" and response.json()["contact_name"] == "王*"
    listing = api("city_officer", cast)("get", "/api/enterprises/")
    assert b"13812345678" not in listing.content and "王五" not in listing.content.decode()


def test_an_officer_creates_an_enterprise_in_scope_only(cast, firms):
    district = api("district_a_officer", cast)
    created = district("post", "/api/enterprises/", {"uscc": make_uscc(4), "name": "丁科技", "region": STREET_A})
    assert created.status_code == 201, created.content
    assert created.json()["region_id"] == STREET_A and created.json()["listing_status"] == "unlisted"
    refused = district("post", "/api/enterprises/", {"uscc": make_uscc(5), "name": "戊科技", "region": STREET_B})
    assert refused.status_code == 422 and "所在区域" in refused.json()["detail"]
    assert not Enterprise.objects.filter(name="戊科技").exists()


def test_the_annual_api_filters_by_year_and_records_its_source(cast, firms):
    city = api("city_officer", cast)
    response = city("post", "/api/enterprise-years/", {"enterprise": firms[0].pk, "year": 2024, "employees": 40,
                                                       "sales_revenue": "1234.50", "rd_expense": "80"})
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "user:city_officer"
    EnterpriseYear.objects.create(enterprise=firms[1], year=2023, employees=5)
    items = city("get", "/api/enterprise-years/", year=2024).json()["items"]
    assert [(i["enterprise_id"], i["year"]) for i in items] == [(firms[0].pk, 2024)]


def test_inconsistent_annual_figures_are_422_with_the_field_named(cast, firms):
    response = api("city_officer", cast)("post", "/api/enterprise-years/", {
        "enterprise": firms[0].pk, "year": 2024, "employees": 5, "tech_staff": 9})
    assert response.status_code == 422
    assert "科技人员数不能大于职工总数" in response.json()["detail"]


def test_ip_and_qualifications_are_scoped_and_filtered(cast, firms):
    district = api("district_a_officer", cast)
    items = district("get", "/api/qualifications/", kind="hnte").json()["items"]
    assert [i["enterprise_id"] for i in items] == [firms[0].pk]
    other = Qualification.objects.get(enterprise=firms[2])
    assert district("get", f"/api/qualifications/{other.pk}").status_code == 404
    created = district("post", "/api/ip/", {"enterprise": firms[0].pk, "ip_type": "invention", "number": "ZL1",
                                            "title": "一种方法"})
    assert created.status_code == 201 and created.json()["ip_class"] == "I"


# --- the enterprise user --------------------------------------------------------------------------------
def test_an_enterprise_user_reads_only_its_own_enterprise(firms, as_enterprise_a):
    a, b, _c = firms
    assert names(as_enterprise_a("get", "/api/enterprises/")) == {"甲科技"}
    assert as_enterprise_a("get", f"/api/enterprises/{b.pk}").status_code == 404
    assert [i["enterprise_id"] for i in as_enterprise_a("get", "/api/qualifications/").json()["items"]] == [a.pk]


def test_an_enterprise_user_edits_its_own_enterprise_but_not_another_nor_its_identity(firms, as_enterprise_a):
    a, b, _c = firms
    response = as_enterprise_a("patch", f"/api/enterprises/{a.pk}", {"address": "梅园新村 9 号", "region": STREET_B})
    assert response.status_code == 200, response.content
    a.refresh_from_db()
    assert (a.address, a.region_id) == ("梅园新村 9 号", STREET_A)
    assert as_enterprise_a("patch", f"/api/enterprises/{b.pk}", {"address": "x"}).status_code == 404


def test_an_enterprise_user_submits_annual_data_for_its_own_enterprise_only(firms, as_enterprise_a):
    a, b, _c = firms
    own = as_enterprise_a("post", "/api/enterprise-years/", {"enterprise": a.pk, "year": 2024, "employees": 30})
    assert own.status_code == 201, own.content
    assert own.json()["source"] == "user:ent_a"
    changed = as_enterprise_a("patch", f"/api/enterprise-years/{own.json()['id']}", {"employees": 31})
    assert changed.status_code == 200 and changed.json()["employees"] == 31
    before = ObjectChange.objects.count()
    other = as_enterprise_a("post", "/api/enterprise-years/", {"enterprise": b.pk, "year": 2024, "employees": 30})
    assert other.status_code == 422 and "企业" in other.json()["detail"]
    assert not EnterpriseYear.objects.filter(enterprise=b).exists()
    assert ObjectChange.objects.count() == before


def test_an_enterprise_user_cannot_register_enterprises_or_grant_itself_qualifications(cast, firms,
                                                                                        as_enterprise_a):
    a = firms[0]
    response = as_enterprise_a("post", "/api/enterprises/", {"uscc": make_uscc(9), "name": "新企业",
                                                             "region": STREET_A})
    assert response.status_code == 403 and "企业用户不能登记新企业" in response.json()["detail"]
    kind = QualificationKind.objects.get(code="little_giant")
    response = as_enterprise_a("post", "/api/qualifications/", {
        "enterprise": a.pk, "kind": kind.pk, "granted_on": "2025-01-01", "valid_from": "2025-01-01"})
    assert response.status_code == 403 and "资质由主管部门认定" in response.json()["detail"]
    own = Qualification.objects.get(enterprise=a)
    response = as_enterprise_a("patch", f"/api/qualifications/{own.pk}", {"valid_to": "2099-12-31"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.valid_to == date(2026, 11, 5)


def test_the_registry_endpoints_are_in_the_openapi_schema(cast, client_as):
    paths = client_as("city_officer").get("/api/openapi.json").json()["paths"]
    for path in ("/api/enterprises/", "/api/enterprises/{pk}", "/api/enterprise-years/", "/api/ip/",
                 "/api/qualifications/{pk}"):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/enterprise-years/"])
    assert {"get", "patch"} <= set(paths["/api/qualifications/{pk}"])
