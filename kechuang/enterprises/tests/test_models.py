"""The enterprise registry's invariants and reads."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kechuang.accounts.models import RoleAssignment
from kechuang.core.testing.personas import DISTRICT_A, STREET_A, STREET_B, make_user
from kechuang.enterprises.annual import annual_problems
from kechuang.enterprises.choices import IPType
from kechuang.enterprises.industry import divisions, section_of, sections
from kechuang.enterprises.models import Enterprise, EnterpriseYear, IntellectualProperty, Qualification
from kechuang.enterprises.services import ensure_builtin_kinds, revoke_qualification
from kechuang.enterprises.testing import grant, make_enterprise, make_uscc

REAL_CODES = ["914403001922038216", "91440300708461136T", "91110000802100433B", "91110000710926094P",
              "9144030071526726XG", "91440300192317458F", "91512081MA62K0260E"]


def test_the_industry_dictionary_has_20_sections_and_97_divisions():
    assert len(sections()) == 20 and len(divisions()) == 97
    assert section_of("6513") == "I" and section_of("3911") == "C" and section_of("7320") == "M"
    assert section_of("99") is None and section_of("abc") is None


def test_real_codes_from_the_rules_validate():
    from kechuang.core.uscc import uscc_problem

    assert all(uscc_problem(code) is None for code in REAL_CODES)
    assert all(uscc_problem(code) is not None for code in
               ["91350100M000100Y4Z", "91110108MA01712M9L", "91410100779423456X"])


@pytest.mark.django_db
def test_an_enterprise_with_a_bad_credit_code_is_refused(cast):
    enterprise = Enterprise(uscc=make_uscc(1)[:17] + "0", name="甲", region_id=STREET_A)
    with pytest.raises(ValidationError, match="第 18 位"):
        enterprise.full_clean()


@pytest.mark.django_db
def test_the_industry_section_is_derived(cast):
    enterprise = make_enterprise("甲科技", STREET_A, 1, industry_code="6513")
    assert enterprise.industry_section == "I"
    enterprise.industry_code = "99"
    with pytest.raises(ValidationError, match="GB/T 4754"):
        enterprise.full_clean()


def test_annual_cross_field_checks_name_the_field():
    values = {"employees": 10, "tech_staff": 12, "rd_expense": Decimal("100"), "rd_expense_domestic": Decimal("120"),
              "total_assets": Decimal("500"), "liabilities": Decimal("200"), "net_assets": Decimal("280")}
    fields = [f for f, _ in annual_problems(values)]
    assert fields == ["tech_staff", "rd_expense_domestic", "net_assets"]
    ok = {"employees": 10, "tech_staff": 3, "total_assets": Decimal("500"), "liabilities": Decimal("200"),
          "net_assets": Decimal("300.40")}
    assert annual_problems(ok) == []


@pytest.mark.django_db
def test_enterprise_year_clean_reports_inconsistent_figures(cast):
    enterprise = make_enterprise("甲科技", STREET_A, 1)
    year = EnterpriseYear(enterprise=enterprise, year=2024, employees=5, tech_staff=9)
    with pytest.raises(ValidationError, match="科技人员数不能大于职工总数"):
        year.full_clean()


@pytest.mark.django_db
def test_ip_class_follows_the_rules(cast):
    enterprise = make_enterprise("甲科技", STREET_A, 1)
    kinds = {IPType.INVENTION: "I", IPType.SOFTWARE_COPYRIGHT: "II", IPType.TRADEMARK: ""}
    for n, (ip_type, expected) in enumerate(kinds.items()):
        ip = IntellectualProperty.objects.create(enterprise=enterprise, ip_type=ip_type, number=f"ZL{n}", title="x")
        assert ip.ip_class == expected


@pytest.mark.django_db
def test_hnte_is_valid_three_years_and_tsme_for_the_calendar_year(cast):
    enterprise = make_enterprise("甲科技", STREET_A, 1)
    hnte = grant(enterprise, "hnte", date(2022, 12, 12))
    assert hnte.valid_to == date(2025, 12, 11)
    tsme = grant(enterprise, "tsme", date(2024, 5, 20))
    assert tsme.valid_to == date(2024, 12, 31)


@pytest.mark.django_db
def test_valid_on_new_in_year_and_expiring(cast):
    a = make_enterprise("甲科技", STREET_A, 1)
    b = make_enterprise("乙科技", STREET_B, 2)
    grant(a, "hnte", date(2022, 12, 12))
    grant(b, "hnte", date(2024, 11, 1))
    on = date(2025, 6, 30)
    assert set(Enterprise.objects.qualified("hnte", on=on)) == {a, b}
    assert set(Enterprise.objects.qualified("hnte", on=date(2026, 1, 1))) == {b}
    assert [q.enterprise for q in Qualification.objects.new_in_year(2024)] == [b]
    assert [q.enterprise for q in Qualification.objects.expiring_within(6, as_of=on)] == [a]
    assert set(Enterprise.objects.in_region(DISTRICT_A).qualified("hnte", on=on)) == {a}


@pytest.mark.django_db
def test_a_revoked_qualification_stops_counting_from_its_date(cast):
    a = make_enterprise("甲科技", STREET_A, 1)
    q = grant(a, "hnte", date(2023, 1, 10))
    with pytest.raises(ValueError):
        revoke_qualification(q, actor=cast.city_officer, on=date(2024, 3, 1), reason=" ")
    revoke_qualification(q, actor=cast.city_officer, on=date(2024, 3, 1), reason="年报连续两年未报")
    assert Enterprise.objects.qualified("hnte", on=date(2024, 2, 28)).exists()
    assert not Enterprise.objects.qualified("hnte", on=date(2024, 3, 1)).exists()


@pytest.mark.django_db
def test_builtin_kinds_are_created_once():
    assert ensure_builtin_kinds(actor=None) == 8
    assert ensure_builtin_kinds(actor=None) == 0


@pytest.mark.django_db
def test_an_enterprise_user_sees_only_its_own_enterprise(cast):
    a = make_enterprise("甲科技", STREET_A, 1)
    b = make_enterprise("乙科技", STREET_A, 2)
    grant(a, "hnte", date(2024, 1, 1))
    user = make_user("ent_a")
    RoleAssignment.objects.create(user=user, role="enterprise_user", enterprise=a)
    assert list(Enterprise.objects.restrict(user, "view")) == [a]
    assert list(Qualification.objects.restrict(user, "view").values_list("enterprise", flat=True)) == [a.pk]
    assert not Enterprise.objects.restrict(user, "delete").exists()
    assert b not in Enterprise.objects.restrict(user, "view")


@pytest.mark.django_db
def test_district_officers_see_their_subtree_of_enterprises(cast):
    a = make_enterprise("甲科技", STREET_A, 1)
    make_enterprise("乙科技", STREET_B, 2)
    assert list(Enterprise.objects.restrict(cast.district_a_officer, "view")) == [a]
    assert Enterprise.objects.restrict(cast.city_officer, "view").count() == 2
