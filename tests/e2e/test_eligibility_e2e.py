"""End to end: an officer's self-check with what-if (企业自评·假设测算) and a batch screening (批量筛选), offline.

Needs the system Chromium (`make browser`); never skipped. Saves docs/img/self_check.png and
docs/img/screening.png for the README.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.e2e.browser import offline_page

REPO_DIR = Path(__file__).resolve().parents[2]
SELF_CHECK = REPO_DIR / "docs" / "img" / "self_check.png"
SCREENING = REPO_DIR / "docs" / "img" / "screening.png"
STREET = "320102002000"  # 梅园新村街道, 玄武区, 南京市


def make_enterprises():
    """Return (a software company one step from 科小, a clear candidate), with three years of figures each."""
    from kechuang.enterprises.models import EnterpriseYear
    from kechuang.enterprises.testing import make_enterprise

    last = timezone.localdate().year - 1

    def firm(name, serial, tech_staff, rd):
        made = make_enterprise(name, STREET, serial, registered_on=date(2016, 5, 18), industry_code="6513",
                               hightech_field="1")
        for offset, growth in ((2, Decimal("0.8")), (1, Decimal("0.9")), (0, Decimal(1))):
            EnterpriseYear.objects.create(
                enterprise=made, year=last - offset, employees=120, tech_staff=tech_staff, rd_staff=tech_staff - 2,
                sales_revenue=Decimal(3000) * growth, main_revenue=Decimal(3000) * growth,
                total_income=Decimal(3100) * growth, hightech_income=Decimal(2500) * growth,
                rd_expense=rd * growth, rd_expense_domestic=rd * growth, rd_expense_commissioned=Decimal(0),
                total_cost=Decimal(2800) * growth, total_assets=Decimal(2500), liabilities=Decimal(900),
                net_assets=Decimal(1600), ip_class1=0, ip_class2=3, results_converted=2, standards_led=0,
                source="user:e2e")
        return made

    # 11 science staff of 120 (9.2% ⇒ 0 points): 科技人员指标为 0, so it fails although it scores 68.
    short = firm("南京钟山云数据有限公司", 20240611, tech_staff=11, rd=Decimal(180))
    candidate = firm("南京玄武湖智能装备有限公司", 20240612, tech_staff=40, rd=Decimal(200))
    return short, candidate


@pytest.mark.e2e
def test_officer_self_checks_an_enterprise_and_screens_the_district(live_server, transactional_db):
    from kechuang.accounts.roles import Role
    from kechuang.core.testing.personas import PASSWORD, make_user

    call_command("load_regions", "--streets", "3201", stdout=io.StringIO())
    make_user("district_officer", Role.REGION_OFFICER, "320102000000", display_name="王科员")
    short, candidate = make_enterprises()

    with offline_page() as (page, traffic):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "district_officer")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")

        # Self-check: find the enterprise by name, open its assessment.
        page.goto(live_server.url + "/eligibility/?q=钟山云")
        with page.expect_navigation():
            page.click(f"a[href='/eligibility/enterprises/{short.pk}/']")
        card = page.locator("#programme-tech_sme")
        assert "不符合" in card.inner_text()
        assert "科技人员还差 1 人" in card.inner_text()  # 12 of 120 = 10% scores 4 points
        assert page.locator("#programme-hnte").count() == 1
        page.wait_for_load_state("networkidle")
        SELF_CHECK.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SELF_CHECK), full_page=True)

        # What-if: one more science staff member, and the verdict turns.
        with page.expect_navigation():
            card.locator("a", has_text="假设测算").click()
        page.fill("#id_tech_staff", "12")
        with page.expect_navigation():
            page.click("#what-if-form button[type=submit]")
        result = page.locator("#what-if-result").inner_text()
        assert "符合" in result and "不符合" not in result, result
        assert "不符合" in page.locator("#baseline-result").inner_text()

        # Screening the district: the candidate is listed; the other is in the reserve with its shortfall.
        page.goto(live_server.url + "/eligibility/screening/")
        page.select_option("#id_programme", "tech_sme")
        page.fill("#id_region", "320102")
        with page.expect_navigation():
            page.click("#screening-form button[type=submit]")
        assert urlsplit(page.url).path.startswith("/eligibility/screening/")
        assert "南京玄武湖智能装备有限公司" in page.locator("#screening-entries").inner_text()
        page.screenshot(path=str(SCREENING), full_page=True)
        with page.expect_navigation():
            page.click("#screening-tabs a[href='?category=reserve']")
        reserve = page.locator("#screening-entries").inner_text()
        assert "南京钟山云数据有限公司" in reserve and "科技人员" in reserve

    assert traffic.remote_requests == [], f"页面尝试访问外部主机（应用必须完全离线）：{traffic.remote_requests}"
    assert traffic.failed_responses == [], f"页面上有请求失败：{traffic.failed_responses}"
