"""Pages of the enterprise registry: generic suites per model, the list's filters, the profile (企业画像), the
enterprise user's own-enterprise pages, exports, the re-recognition list and the dashboard cards."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from kechuang.accounts.models import RoleAssignment
from kechuang.core.testing.personas import DISTRICT_A, STREET_A, STREET_B, make_user
from kechuang.core.testing.suites import ModelViewSuite
from kechuang.enterprises.choices import IPType
from kechuang.enterprises.models import (
    Enterprise,
    EnterpriseYear,
    IntellectualProperty,
    Qualification,
    QualificationKind,
)
from kechuang.enterprises.services import ensure_builtin_kinds, revoke_qualification
from kechuang.enterprises.testing import grant, make_enterprise, make_uscc

TODAY = date(2025, 6, 30)


def enterprise_in(region, name, serial, **extra):
    """Return the enterprise called `name`, creating it in `region` the first time."""
    return Enterprise.objects.filter(name=name).first() or make_enterprise(name, region, serial, **extra)


def year_of(enterprise, year, **figures):
    return EnterpriseYear.objects.create(enterprise=enterprise, year=year, **figures)


def listed(client, **params):
    """Return the names the enterprise list shows for `params` (all pages)."""
    response = client.get("/enterprises/", params)
    assert response.status_code == 200
    return set(response.context["filter"].qs.values_list("name", flat=True))


@pytest.fixture
def enterprise_client(cast, client):
    """A client logged in as the enterprise user of 甲科技 (in street A); 乙科技 sits in the same street."""
    own = enterprise_in(STREET_A, "甲科技", 1)
    enterprise_in(STREET_A, "乙科技", 2)
    user = make_user("ent_a")
    RoleAssignment.objects.create(user=user, role="enterprise_user", enterprise=own)
    client.force_login(user)
    return client


# --- generic suites ---------------------------------------------------------------------------------------
class TestEnterpriseViews(ModelViewSuite):
    url_prefix = "enterprises:enterprise"
    reader = "district_a_officer"
    outsider = "audit_admin"
    writer = "city_officer"

    def in_scope(self, cast):
        return enterprise_in(STREET_A, "甲科技", 1, contact_phone="13812345678")

    def out_of_scope(self, cast):
        return enterprise_in(STREET_B, "乙科技", 2)

    def create_data(self, cast):
        return {"uscc": make_uscc(3), "name": "丙科技", "region": STREET_A, "listing_status": "unlisted"}

    def edit_data(self, cast, obj):
        return {"uscc": obj.uscc, "name": obj.name, "region": obj.region_id, "listing_status": "neeq",
                "address": "南京市玄武区珠江路 1 号"}

    def export_key(self, obj):
        return obj.name


class TestEnterpriseYearViews(ModelViewSuite):
    url_prefix = "enterprises:enterpriseyear"
    reader = "district_a_officer"
    outsider = "audit_admin"
    writer = "city_officer"

    def in_scope(self, cast):
        return EnterpriseYear.objects.filter(enterprise__name="甲科技").first() or year_of(
            enterprise_in(STREET_A, "甲科技", 1), 2024, employees=10)

    def out_of_scope(self, cast):
        return EnterpriseYear.objects.filter(enterprise__name="乙科技").first() or year_of(
            enterprise_in(STREET_B, "乙科技", 2), 2024, employees=10)

    def create_data(self, cast):
        return {"enterprise": enterprise_in(STREET_A, "丙科技", 3).uscc, "year": 2024, "employees": 30}

    def edit_data(self, cast, obj):
        return {"enterprise": obj.enterprise.uscc, "year": obj.year, "employees": 12}

    def export_key(self, obj):
        return obj.enterprise.name


class TestIntellectualPropertyViews(ModelViewSuite):
    url_prefix = "enterprises:intellectualproperty"
    reader = "district_a_officer"
    outsider = "audit_admin"
    writer = "city_officer"

    def in_scope(self, cast):
        return IntellectualProperty.objects.filter(number="ZL2024A").first() or IntellectualProperty.objects.create(
            enterprise=enterprise_in(STREET_A, "甲科技", 1), ip_type=IPType.INVENTION, number="ZL2024A", title="一种方法")

    def out_of_scope(self, cast):
        return IntellectualProperty.objects.filter(number="ZL2024B").first() or IntellectualProperty.objects.create(
            enterprise=enterprise_in(STREET_B, "乙科技", 2), ip_type=IPType.INVENTION, number="ZL2024B", title="一种装置")

    def create_data(self, cast):
        return {"enterprise": enterprise_in(STREET_A, "甲科技", 1).uscc, "ip_type": "software", "number": "2024SR1",
                "title": "管理软件 V1.0", "status": "valid"}

    def edit_data(self, cast, obj):
        return {"enterprise": obj.enterprise.uscc, "ip_type": obj.ip_type, "number": obj.number, "title": "一种新方法",
                "status": "valid"}

    def export_key(self, obj):
        return obj.number


class TestQualificationViews(ModelViewSuite):
    url_prefix = "enterprises:qualification"
    reader = "district_a_officer"
    outsider = "audit_admin"
    writer = "city_officer"

    def in_scope(self, cast):
        return Qualification.objects.filter(enterprise__name="甲科技").first() or grant(
            enterprise_in(STREET_A, "甲科技", 1), "hnte", date(2023, 11, 6), number="GR202332000001")

    def out_of_scope(self, cast):
        return Qualification.objects.filter(enterprise__name="乙科技").first() or grant(
            enterprise_in(STREET_B, "乙科技", 2), "hnte", date(2023, 11, 6), number="GR202332000002")

    def create_data(self, cast):
        ensure_builtin_kinds(actor=None)
        return {"enterprise": enterprise_in(STREET_A, "丙科技", 3).uscc, "kind": QualificationKind.objects.get(
            code="tsme").pk, "number": "2025320102A0001", "granted_on": "2025-04-01", "valid_from": "2025-04-01",
            "status": "valid"}

    def edit_data(self, cast, obj):
        return {"enterprise": obj.enterprise.uscc, "kind": obj.kind_id, "number": obj.number,
                "granted_on": obj.granted_on, "valid_from": obj.valid_from, "valid_to": obj.valid_to,
                "batch": "江苏省 2023 年第二批", "status": "valid"}

    def export_key(self, obj):
        return obj.enterprise.name


# --- the enterprise list's filters -----------------------------------------------------------------------
def test_the_rung_filter_counts_qualifications_held_on_the_chosen_date(cast, client_as):
    a, b = enterprise_in(STREET_A, "甲科技", 1), enterprise_in(STREET_B, "乙科技", 2)
    grant(a, "hnte", date(2022, 12, 12))  # valid to 2025-12-11
    grant(b, "hnte", date(2024, 11, 1))
    q = grant(enterprise_in(STREET_B, "丙科技", 3), "hnte", date(2023, 1, 10))
    revoke_qualification(q, actor=cast.city_officer, on=date(2024, 3, 1), reason="年报连续两年未报")
    client = client_as("city_officer")
    assert listed(client, rung="hnte", rung_on="2025-06-30") == {"甲科技", "乙科技"}
    assert listed(client, rung="hnte", rung_on="2026-01-01") == {"乙科技"}
    assert listed(client, rung="hnte", rung_on="2024-01-01") == {"甲科技", "丙科技"}
    with time_machine.travel(TODAY):  # no date: today
        assert listed(client, rung="hnte") == {"甲科技", "乙科技"}
        assert listed(client, rung="tsme") == set()


def test_the_rung_date_defaults_to_today_and_the_form_shows_it(cast, client_as):
    with time_machine.travel(TODAY):
        response = client_as("city_officer").get("/enterprises/", {"rung": "hnte"})
    assert 'value="2025-06-30"' in response.content.decode()


def test_the_region_filter_takes_a_subtree_prefix_or_a_full_code(cast, client_as):
    enterprise_in(STREET_A, "甲科技", 1)
    enterprise_in(DISTRICT_A, "丁科技", 4)
    enterprise_in(STREET_B, "乙科技", 2)
    client = client_as("city_officer")
    assert listed(client, region="320102") == {"甲科技", "丁科技"}
    assert listed(client, region=DISTRICT_A) == {"甲科技", "丁科技"}
    assert listed(client, region="320102002") == {"甲科技"}
    assert listed(client, region="3201") == {"甲科技", "丁科技", "乙科技"}
    assert listed(client, region="玄武") == set()


def test_a_region_filter_never_widens_the_users_scope(cast, client_as):
    enterprise_in(STREET_A, "甲科技", 1)
    enterprise_in(STREET_B, "乙科技", 2)
    assert listed(client_as("district_a_officer"), region="3201") == {"甲科技"}


def test_the_annual_figure_range_filter_uses_the_chosen_year(cast, client_as):
    a, b, c = (enterprise_in(STREET_A, n, i) for i, n in enumerate(("甲科技", "乙科技", "丙科技"), start=1))
    year_of(a, 2023, sales_revenue=Decimal("5000"))
    year_of(b, 2023, sales_revenue=Decimal("800"))
    year_of(b, 2024, sales_revenue=Decimal("2000"))
    year_of(c, 2023)
    client = client_as("city_officer")
    assert listed(client, figure="sales_revenue", figure_year=2023, figure_min=1000) == {"甲科技"}
    assert listed(client, figure="sales_revenue", figure_year=2023, figure_max="800") == {"乙科技"}
    assert listed(client, figure="sales_revenue", figure_year=2024, figure_min=1000, figure_max=3000) == {"乙科技"}
    assert listed(client, figure="sales_revenue", figure_year=2023) == {"甲科技", "乙科技"}
    with time_machine.travel(TODAY):  # no year: last year (2024)
        assert listed(client, figure="sales_revenue", figure_min=1000) == {"乙科技"}


def test_the_size_band_filter_reads_employees_of_the_chosen_year(cast, client_as):
    a, b, c = (enterprise_in(STREET_A, n, i) for i, n in enumerate(("甲科技", "乙科技", "丙科技"), start=1))
    year_of(a, 2024, employees=19)
    year_of(b, 2024, employees=20)
    year_of(b, 2023, employees=5)
    year_of(c, 2024, employees=1000)
    client = client_as("city_officer")
    assert listed(client, size_band="micro", size_year=2024) == {"甲科技"}
    assert listed(client, size_band="small", size_year=2024) == {"乙科技"}
    assert listed(client, size_band="micro", size_year=2023) == {"乙科技"}
    assert listed(client, size_band="large", size_year=2024) == {"丙科技"}


def test_the_search_finds_names_former_names_and_credit_codes(cast, client_as):
    a = enterprise_in(STREET_A, "甲科技", 1, former_names=["南京旧名软件有限公司"])
    enterprise_in(STREET_A, "乙科技", 2)
    client = client_as("city_officer")
    assert listed(client, q="甲科") == {"甲科技"}
    assert listed(client, q="旧名软件") == {"甲科技"}
    assert listed(client, q=a.uscc) == {"甲科技"}


def test_industry_field_and_listing_filters(cast, client_as):
    enterprise_in(STREET_A, "甲科技", 1, industry_code="6513", hightech_field="1", listing_status="star")
    enterprise_in(STREET_A, "乙科技", 2, industry_code="3911", hightech_field="8")
    client = client_as("city_officer")
    assert listed(client, industry_section="I") == {"甲科技"}
    assert listed(client, industry="39") == {"乙科技"}
    assert listed(client, hightech_field="8") == {"乙科技"}
    assert listed(client, listing_status="star") == {"甲科技"}


def test_the_list_shows_rungs_held_today_with_a_fixed_number_of_queries(cast, client_as,
                                                                         django_assert_max_num_queries):
    for n in range(12):
        enterprise = make_enterprise(f"企业{n:02d}", STREET_A, 10 + n)
        grant(enterprise, "hnte", date(2024, 1, 1))
        grant(enterprise, "tsme", date(2025, 3, 1))
    grant(Enterprise.objects.get(name="企业00"), "gazelle", date(2020, 1, 1))  # expired: not shown
    client = client_as("city_officer")
    client.get("/enterprises/")  # warm the per-request caches (sessions, ContentType)
    with time_machine.travel(TODAY), django_assert_max_num_queries(11):
        response = client.get("/enterprises/")
    body = response.content.decode()
    assert body.count("高新技术企业</span>") == 12 and body.count("科技型中小企业（入库）</span>") == 12
    assert "瞪羚企业</span>" not in body


# --- the profile (企业画像) --------------------------------------------------------------------------------
@pytest.fixture
def profiled(cast):
    enterprise = make_enterprise("紫金山智能科技有限公司", STREET_A, 7, contact_name="张三丰",
                                 contact_phone="13812345678", industry_code="6513", hightech_field="1")
    for year, revenue, rd in ((2022, "3200", "160"), (2023, "4100", "230"), (2024, "5600", "340")):
        year_of(enterprise, year, sales_revenue=Decimal(revenue), rd_expense=Decimal(rd), employees=80)
    grant(enterprise, "tsme", date(2022, 5, 1))
    grant(enterprise, "hnte", date(2023, 11, 6), number="GR202332001234")
    IntellectualProperty.objects.create(enterprise=enterprise, ip_type=IPType.INVENTION, number="ZL202310000001.1",
                                        title="一种视觉检测方法", granted_on=date(2024, 3, 1))
    return enterprise


def test_the_profile_shows_identity_ladder_figures_ip_and_history(profiled, client_as):
    with time_machine.travel(TODAY):
        response = client_as("district_a_officer").get(profiled.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "紫金山智能科技有限公司" in body and profiled.uscc in body
    assert "6513 软件和信息技术服务业" in body and "南京市 玄武区 梅园新村街道" in body
    assert "138****5678" in body and "13812345678" not in body
    assert "张**" in body and "张三丰" not in body
    ladder = [(s.qualification.kind.code, s.standing) for s in response.context["ladder"]]
    assert ladder == [("tsme", "已过期"), ("hnte", "有效")]
    assert [k.code for k in response.context["held_kinds"]] == ["hnte"]
    rows = dict(response.context["annual_rows"])
    assert rows["研发费用占销售收入比例（%）"] == [Decimal("5.0"), Decimal("5.6"), Decimal("6.1")]
    assert response.context["trend_chart"] == {
        "labels": ["2022", "2023", "2024"], "axes": ["销售收入（万元）", "研发费用（万元）"],
        "series": [{"name": "销售收入", "axis": 0, "data": [3200.0, 4100.0, 5600.0]},
                   {"name": "研发费用", "axis": 1, "data": [160.0, 230.0, 340.0]}]}
    assert 'id="enterprise-trend-data"' in body and 'data-chart="line"' in body
    assert "一种视觉检测方法" in body
    assert [c.action for c in response.context["changes"]] == ["create"]


def test_a_profile_outside_the_scope_is_404(profiled, client_as):
    assert client_as("district_b_officer").get(profiled.get_absolute_url()).status_code == 404


# --- the enterprise user: own enterprise only ------------------------------------------------------------
def test_an_enterprise_user_lists_and_opens_only_its_own_enterprise(enterprise_client):
    own, other = Enterprise.objects.get(name="甲科技"), Enterprise.objects.get(name="乙科技")
    assert listed(enterprise_client) == {"甲科技"}
    assert enterprise_client.get(own.get_absolute_url()).status_code == 200
    assert enterprise_client.get(other.get_absolute_url()).status_code == 404
    assert enterprise_client.get(f"/enterprises/{other.pk}/edit/").status_code == 404


def test_an_enterprise_user_edits_its_own_enterprise_but_not_its_identity(enterprise_client):
    own = Enterprise.objects.get(name="甲科技")
    response = enterprise_client.post(f"/enterprises/{own.pk}/edit/", {
        "uscc": make_uscc(99), "name": "甲科技", "region": STREET_B, "listing_status": "unlisted",
        "address": "梅园新村 9 号", "contact_phone": "13900001111"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.address, own.contact_phone) == ("梅园新村 9 号", "13900001111")
    assert (own.uscc, own.region_id) == (make_uscc(1, "320102"), STREET_A)


def test_an_enterprise_user_submits_annual_data_for_its_own_enterprise_only(enterprise_client):
    own, other = Enterprise.objects.get(name="甲科技"), Enterprise.objects.get(name="乙科技")
    form = enterprise_client.get("/enterprises/years/add/").context["form"]
    assert list(form.fields["enterprise"].queryset) == [own]
    assert form.initial["enterprise"] == own.pk
    response = enterprise_client.post("/enterprises/years/add/", {
        "enterprise": own.uscc, "year": 2024, "employees": 50, "sales_revenue": "1200"})
    assert response.status_code == 302 and response["Location"] == own.get_absolute_url()
    assert EnterpriseYear.objects.get(enterprise=own, year=2024).source == "user:ent_a"
    response = enterprise_client.post("/enterprises/years/add/", {"enterprise": other.uscc, "year": 2024})
    assert response.status_code == 200 and response.context["form"].errors
    assert not EnterpriseYear.objects.filter(enterprise=other).exists()


def test_an_enterprise_user_cannot_register_enterprises_or_qualifications(enterprise_client):
    own = Enterprise.objects.get(name="甲科技")
    assert enterprise_client.get("/enterprises/add/").status_code == 403
    assert enterprise_client.get("/enterprises/qualifications/add/").status_code == 403
    q = grant(own, "hnte", date(2023, 11, 6))
    assert enterprise_client.get(f"/enterprises/qualifications/{q.pk}/").status_code == 200
    assert enterprise_client.post(f"/enterprises/qualifications/{q.pk}/edit/", {
        "enterprise": own.uscc, "kind": q.kind_id, "granted_on": "2025-01-01", "valid_from": "2025-01-01",
        "status": "valid"}).status_code == 403
    body = enterprise_client.get(own.get_absolute_url()).content.decode()
    assert "填报年度数据" in body and "登记资质" not in body
    assert "新增" not in enterprise_client.get("/enterprises/").content.decode().split('id="object-table"')[0]


def test_an_officers_form_offers_only_enterprises_and_regions_in_scope(cast, client_as):
    enterprise_in(STREET_A, "甲科技", 1)
    enterprise_in(STREET_B, "乙科技", 2)
    client = client_as("district_a_officer")
    years_form = client.get("/enterprises/years/add/").context["form"]
    assert [e.name for e in years_form.fields["enterprise"].queryset] == ["甲科技"]
    enterprise_form = client.get("/enterprises/add/").context["form"]
    assert set(enterprise_form.fields["region"].queryset.values_list("code", flat=True)) == {DISTRICT_A, STREET_A}


# --- exports ----------------------------------------------------------------------------------------------
def rows_of(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_the_enterprise_export_masks_contacts_and_holds_only_the_scope(cast, client_as):
    a = enterprise_in(STREET_A, "甲科技", 1, contact_name="李四", contact_phone="13812345678")
    grant(a, "hnte", date(2024, 1, 1))
    enterprise_in(STREET_B, "乙科技", 2, contact_phone="13987654321")
    with time_machine.travel(TODAY):
        response = client_as("district_a_officer").get("/enterprises/export/", {"rung": "hnte"})
    header, *rows = rows_of(response)
    assert header[:3] == ("企业名称", "统一社会信用代码", "所在区域")
    assert [r[0] for r in rows] == ["甲科技"]
    record = dict(zip(header, rows[0], strict=True))
    assert record["联系电话"] == "138****5678" and record["联系人"] == "李*"
    assert record["当前资质"] == "高新技术企业"
    assert b"13812345678" not in response.content and b"13987654321" not in response.content


# --- 高企 due for re-recognition --------------------------------------------------------------------------
@pytest.fixture
def certificates(cast):
    """高企 certificates around TODAY (2025-06-30): which are due this year or next, and which are not."""
    made = {}
    for serial, (name, region, granted) in enumerate((
            ("今年到期", STREET_A, date(2022, 12, 12)),     # to 2025-12-11: due
            ("已过期未复审", STREET_A, date(2022, 3, 1)),    # to 2025-02-28: due (overdue)
            ("明年到期", STREET_B, date(2023, 11, 6)),      # to 2026-11-05: due
            ("后年到期", STREET_A, date(2024, 12, 1)),      # to 2027-11-30: not yet
            ("早已过期", STREET_A, date(2020, 12, 1))), start=1):  # to 2023-11-30: not this year
        made[name] = grant(make_enterprise(name, region, serial), "hnte", granted)
    renewed = make_enterprise("已重新认定", STREET_A, 20)
    grant(renewed, "hnte", date(2022, 12, 12))
    grant(renewed, "hnte", date(2025, 5, 1))  # the renewal (to 2028): nothing due
    revoked = grant(make_enterprise("已撤销", STREET_A, 21), "hnte", date(2022, 12, 12))
    revoke_qualification(revoked, actor=cast.city_officer, on=date(2024, 5, 1), reason="存在严重弄虚作假行为")
    return made


def test_the_rerecognition_list_holds_certificates_ending_this_or_next_year_not_renewed(certificates, client_as):
    with time_machine.travel(TODAY):
        city = client_as("city_officer").get("/enterprises/rerecognition-due/")
        district = client_as("district_a_officer").get("/enterprises/rerecognition-due/")
        export = client_as("district_a_officer").get("/enterprises/rerecognition-due/export/")
    names = {q.enterprise.name for q in city.context["filter"].qs}
    assert names == {"今年到期", "已过期未复审", "明年到期"}
    assert {q.enterprise.name for q in district.context["filter"].qs} == {"今年到期", "已过期未复审"}
    assert "高企重新认定提醒" in district.content.decode()
    assert 'href="/enterprises/rerecognition-due/export/?' in district.content.decode()
    assert sorted(r[0] for r in rows_of(export)[1:]) == sorted(["今年到期", "已过期未复审"])


# --- dashboard cards --------------------------------------------------------------------------------------
def test_the_ladder_funnel_counts_enterprises_per_rung_in_the_users_scope(cast, client_as):
    a, b = enterprise_in(STREET_A, "甲科技", 1), enterprise_in(STREET_A, "丁科技", 4)
    c = enterprise_in(STREET_B, "乙科技", 2)
    grant(a, "hnte", date(2022, 12, 12))
    grant(a, "hnte", date(2025, 5, 1))  # overlapping renewal: still one enterprise
    grant(a, "tsme", date(2025, 3, 1))
    grant(b, "tsme", date(2025, 3, 1))
    grant(c, "hnte", date(2024, 1, 1))
    grant(c, "gazelle", date(2024, 1, 1))
    with time_machine.travel(TODAY):
        district = client_as("district_a_officer").get("/")
        city = client_as("city_officer").get("/")
    cards = {c["widget"].key: c["context"] for c in district.context["cards"]}
    assert [(r["kind__code"], r["n"]) for r in cards["ladder_funnel"]["rows"]] == [("tsme", 2), ("hnte", 1)]
    assert cards["ladder_funnel"]["chart"] == {"labels": ["科技型中小企业（入库）", "高新技术企业"], "values": [2, 1]}
    cards = {c["widget"].key: c["context"] for c in city.context["cards"]}
    assert [(r["kind__code"], r["n"]) for r in cards["ladder_funnel"]["rows"]] == [
        ("tsme", 2), ("hnte", 2), ("gazelle", 1)]


def test_the_rerecognition_card_counts_the_users_scope(certificates, client_as):
    with time_machine.travel(TODAY):
        response = client_as("district_a_officer").get("/")
    card = {c["widget"].key: c["context"] for c in response.context["cards"]}["rerecognition_due"]
    assert (card["total"], card["this_year"], card["next_year"]) == (2, 2, 0)
    assert 'href="/enterprises/rerecognition-due/"' in response.content.decode()


def test_enterprise_cards_show_only_to_users_who_may_view_enterprises(cast, client_as):
    keys = {c["widget"].key for c in client_as("system_admin").get("/").context["cards"]}
    assert "ladder_funnel" not in keys and "rerecognition_due" not in keys
    keys = {c["widget"].key for c in client_as("leader").get("/").context["cards"]}
    assert {"ladder_funnel", "rerecognition_due"} <= keys


def test_every_officer_sees_the_whole_qualification_kind_dictionary(cast, client_as):
    ensure_builtin_kinds(actor=None)
    response = client_as("district_a_officer").get("/enterprises/qualification-kinds/")
    assert response.context["filter"].qs.count() == 8
