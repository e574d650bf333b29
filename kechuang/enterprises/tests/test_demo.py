"""The `enterprises` demo step: deterministic, idempotent, internally consistent, and a realistic rung mix.

One `--scale small` load is shared by the module (rolled back at its end); the determinism test makes a second
fresh load inside a savepoint.
"""

from __future__ import annotations

import hashlib
import io
import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction

from kechuang.accounts.models import RoleAssignment, User
from kechuang.audit.changelog import snapshot_values
from kechuang.audit.models import ObjectChange
from kechuang.core.uscc import uscc_problem
from kechuang.demo.registry import step_rng
from kechuang.enterprises import demo
from kechuang.enterprises.annual import annual_problems
from kechuang.enterprises.models import Enterprise, EnterpriseYear, Qualification, QualificationKind
from kechuang.enterprises.services import BUILTIN_KINDS

SEED = "7"
AS_OF = date(2024, 12, 31)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load the small demo once for the module, inside a transaction rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield run("load_demo", "--scale", "small", "--seed", SEED)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def small(loaded, db):
    return loaded


def digest() -> str:
    h = hashlib.sha256()
    for row in demo.iter_digest_rows():
        h.update(repr(row).encode())
    for row in Qualification.objects.order_by("enterprise__uscc", "kind__code", "valid_from").values_list(
            "enterprise__uscc", "kind__code", "number", "valid_from", "valid_to", "status"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_the_load_reports_progress_and_totals(small):
    assert "[enterprises]" in small and "企业 2,000/2,000（100%）" in small
    assert Enterprise.objects.count() == demo.COUNTS["small"]
    assert "有效高企" in small


def test_same_seed_gives_identical_data_across_two_fresh_loads(small):
    first = digest()
    with transaction.atomic():
        RoleAssignment._base_manager.update(enterprise=None)
        Enterprise._base_manager.all().delete()
        assert not EnterpriseYear.objects.exists()
        run("load_demo", "--scale", "small", "--seed", SEED)
        second = digest()
        transaction.set_rollback(True)
    assert first == second


def test_another_seed_draws_other_enterprises(small):
    kinds = {c: QualificationKind(code=c, validity_rule=r, validity_years=y).valid_until
             for c, _n, _l, r, y, _rung, _b in BUILTIN_KINDS}
    places = demo.demo_places("small")
    names = [[demo.Generator(step_rng(seed, "enterprises"), places, kinds).firm(i).fields["name"] for i in range(20)]
             for seed in (7, 8)]
    assert names[0] != names[1]
    assert names[0][0] == Enterprise.objects.order_by("pk").first().name


def test_a_second_run_changes_nothing(small):
    before = (Enterprise.objects.count(), EnterpriseYear.objects.count(), Qualification.objects.count(),
              ObjectChange.objects.count(), digest(),
              sorted(RoleAssignment.objects.values_list("user__username", "role", "region_id", "enterprise_id")))
    out = run("load_demo", "--scale", "small", "--seed", SEED)
    assert "已有演示企业（demo:7），跳过" in out
    assert "已有演示企业（demo:7），跳过" in run("load_demo", "--scale", "small", "--seed", "8")
    after = (Enterprise.objects.count(), EnterpriseYear.objects.count(), Qualification.objects.count(),
             ObjectChange.objects.count(), digest(),
             sorted(RoleAssignment.objects.values_list("user__username", "role", "region_id", "enterprise_id")))
    assert after == before


def test_every_annual_row_passes_the_cross_field_checks(small):
    fields = [f.name for f in EnterpriseYear._meta.concrete_fields]
    rows = list(EnterpriseYear.objects.values(*fields))
    assert len(rows) > 5 * 2000 * 0.8
    assert [(r["enterprise"], r["year"], annual_problems(r)) for r in rows if annual_problems(r)] == []
    for r in rows:
        assert r["net_assets"] == r["total_assets"] - r["liabilities"]
        assert r["sales_revenue"].as_tuple().exponent == -2
        assert 2019 <= r["year"] <= 2024 and r["source"] == "demo:7"
    # Six years where the firm existed and reported; some firms stopped reporting, some started after 2019.
    years = {}
    for r in rows:
        years.setdefault(r["enterprise"], []).append(r["year"])
    assert all(sorted(ys) == list(range(min(ys), max(ys) + 1)) for ys in years.values())
    assert sum(max(ys) < 2024 for ys in years.values()) > 100
    assert sum(min(ys) > 2019 for ys in years.values()) > 100
    revenue_2024 = [r["sales_revenue"] for r in rows if r["year"] == 2024]
    assert Decimal(1000) < statistics.median(revenue_2024) < Decimal(10000)
    assert sum(r["total_cost"] < r["sales_revenue"] for r in rows) > 0.7 * len(rows)
    assert sum(r["rd_expense_domestic"] * 10 >= r["rd_expense"] * 6 for r in rows) > 0.9 * len(rows)


def test_every_credit_code_is_valid_unique_and_names_its_district(small):
    rows = list(Enterprise.objects.values_list("uscc", "region_id", "name", "registered_on", "park_id",
                                               "industry_code", "industry_section", "ownership", "listing_status"))
    assert all(uscc_problem(u) is None and u[2:8] == region[:6] for u, region, *_ in rows)
    assert len({r[0] for r in rows}) == len({r[2] for r in rows}) == len(rows)
    assert all(region.startswith("3201") and date(1995, 1, 1) <= on <= date(2023, 12, 31)
               for _u, region, _n, on, *_ in rows)
    in_parks = [r for r in rows if r[4]]
    assert 0.05 * len(rows) < len(in_parks) < 0.25 * len(rows) and all(r[1] == r[4] for r in in_parks)
    assert sum(r[6] == "C" for r in rows) > 0.4 * len(rows)
    assert all(r[6] for r in rows)
    assert sum(r[7] == "private" for r in rows) > 0.75 * len(rows)
    assert 0 < sum(r[8] != "unlisted" for r in rows) < 0.05 * len(rows)
    # Weighted toward the high-tech districts: 江宁 holds more than 高淳.
    assert sum(r[1].startswith("320115") for r in rows) > 3 * sum(r[1].startswith("320118") for r in rows)


def test_the_rung_mix_on_the_last_day_of_2024(small):
    total = Enterprise.objects.count()
    hnte = Enterprise.objects.qualified("hnte", on=AS_OF).count()
    tsme = Enterprise.objects.qualified("tsme", on=AS_OF).count()
    assert 0.20 * total <= hnte <= 0.45 * total
    assert 0.20 * total <= tsme <= 0.45 * total
    for code in ("innovative_sme", "srdi_sme", "gazelle", "quasi_unicorn"):
        assert 0 < Enterprise.objects.qualified(code, on=AS_OF).count() < hnte, code
    assert Qualification.objects.filter(status="revoked").exclude(status_reason="").exists()
    assert not Qualification.objects.filter(status__in=("revoked", "cancelled"), status_reason="").exists()


def test_hnte_certificates_expire_and_are_renewed_with_new_numbers(small):
    certificates = {}
    for enterprise_id, number, valid_from, valid_to in Qualification.objects.of_kind("hnte").values_list(
            "enterprise_id", "number", "valid_from", "valid_to"):
        assert valid_to == valid_from.replace(year=valid_from.year + 3) - timedelta(days=1)
        assert number.startswith(f"GR{valid_from.year}32") and len(number) == 14
        certificates.setdefault(enterprise_id, []).append((valid_from, number))
    renewed = [c for c in certificates.values() if len(c) >= 2]
    assert len(renewed) > 0.3 * len(certificates)
    assert all(len({n for _d, n in c}) == len(c) for c in certificates.values())
    lapsed = [c for c in certificates.values() if max(c)[0] < date(2022, 1, 1)]
    assert lapsed  # some were not renewed
    assert len(Qualification.objects.of_kind("hnte").values_list("number")) == len(
        set(Qualification.objects.of_kind("hnte").values_list("number", flat=True)))


def test_qualifications_agree_with_the_figures(small):
    figures = {(r["enterprise_id"], r["year"]): r for r in EnterpriseYear.objects.values()}
    for q in Qualification.objects.of_kind("hnte").filter(granted_on__year__gte=2020).values(
            "enterprise_id", "granted_on"):
        f = figures[(q["enterprise_id"], q["granted_on"].year - 1)]
        band = Decimal("0.05") if f["sales_revenue"] <= 5000 else Decimal("0.04") if f["sales_revenue"] <= 20000 \
            else Decimal("0.03")
        assert f["rd_expense"] >= band * f["sales_revenue"]
        assert f["tech_staff"] * 10 >= f["employees"]
        assert f["hightech_income"] * 10 >= f["total_income"] * 6
        assert f["rd_expense_domestic"] * 10 >= f["rd_expense"] * 6
    for q in Qualification.objects.of_kind("tsme").values("enterprise_id", "valid_from", "valid_to", "number"):
        year = q["valid_from"].year
        assert q["valid_to"] == date(year, 12, 31) and q["number"].startswith(f"{year}3201")
        f = figures.get((q["enterprise_id"], year - 1)) or figures[(q["enterprise_id"], year)]
        assert f["employees"] <= 500 and f["sales_revenue"] <= 20000 and f["total_assets"] <= 20000


def test_every_created_row_is_change_logged(small):
    for model in (Enterprise, EnterpriseYear, Qualification):
        content_type = ContentType.objects.get_for_model(model)
        logged = ObjectChange.objects.filter(content_type=content_type, action="create")
        assert logged.count() == model.objects.count()
        sample = model.objects.order_by("-pk").values().first()
        change = logged.get(object_id=str(sample["id"]))
        assert change.after == snapshot_values(model, sample)
        assert change.channel == "demo" and change.actor_id is None
    enterprise = Enterprise.objects.order_by("pk").first()
    change = ObjectChange.objects.get(content_type=ContentType.objects.get_for_model(Enterprise),
                                      object_id=str(enterprise.pk))
    assert change.object_repr == enterprise.name
    assert change.after["contact_name"] != enterprise.contact_name  # personal data masked in the log


def test_the_enterprise_demo_account_sees_only_its_enterprise(small):
    user = User.objects.get(username="enterprise_user")
    visible = list(Enterprise.objects.restrict(user))
    assert len(visible) == 1
    enterprise = visible[0]
    assert enterprise.region_id.startswith("320102")
    assert set(EnterpriseYear.objects.restrict(user).values_list("enterprise_id", flat=True)) == {enterprise.pk}
    assert Qualification.objects.restrict(user).valid_on(AS_OF).of_kind("hnte").exists()
    assert RoleAssignment.objects.get(user=user, role="enterprise_user").enterprise_id == enterprise.pk
