"""End to end: a city officer opens an enterprise profile (企业画像) in the system Chromium, offline.

Needs the system Chromium (`make browser`); never skipped. Saves docs/img/enterprise_profile.png for the README.
The demo city's regions come from `load_regions` (faster than the whole `load_demo`, and independent of the
demo enterprises); the enterprise, its three years of figures and its ladder are made here.
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
SCREENSHOT = REPO_DIR / "docs" / "img" / "enterprise_profile.png"
STREET = "320102002000"  # 梅园新村街道, 玄武区, 南京市


def make_profiled_enterprise():
    """Return a small software company with 3 years of consistent figures, IP, and 科小 → 高企 on its ladder."""
    from kechuang.enterprises.choices import IPType
    from kechuang.enterprises.models import EnterpriseYear, IntellectualProperty
    from kechuang.enterprises.testing import grant, make_enterprise

    enterprise = make_enterprise(
        "南京紫金山智能科技有限公司", STREET, 20230518, former_names=["南京紫峰软件有限公司"],
        registered_on=date(2016, 5, 18), registered_capital=Decimal("1000"), ownership="private",
        industry_code="6513", hightech_field="1", address="南京市玄武区珠江路 88 号",
        contact_name="陈晓明", contact_phone="13912345678")
    # Dates relative to today, so the ladder reads the same whenever the test runs: the last three complete
    # years of figures; 科小 three years ago (expired) and this year (valid); 高企 last November (valid).
    this_year = timezone.localdate().year
    figures = ((this_year - 3, 96, 41, "3260.00", "198.50", "2410.00", 9, 21),
               (this_year - 2, 118, 52, "4175.30", "262.80", "3320.40", 12, 27),
               (this_year - 1, 142, 66, "5630.80", "351.20", "4698.10", 16, 34))
    for year, employees, tech, revenue, rd, hightech, ip1, ip2 in figures:
        EnterpriseYear.objects.create(
            enterprise=enterprise, year=year, employees=employees, tech_staff=tech, rd_staff=tech - 8,
            sales_revenue=Decimal(revenue), main_revenue=Decimal(revenue), total_income=Decimal(revenue),
            hightech_income=Decimal(hightech), rd_expense=Decimal(rd), rd_expense_domestic=Decimal(rd),
            ip_class1=ip1, ip_class2=ip2, source="user:e2e")
    grant(enterprise, "tsme", date(this_year - 3, 4, 20), number=f"{this_year - 3}32010200123")
    grant(enterprise, "hnte", date(this_year - 1, 11, 6), number=f"GR{this_year - 1}32001234",
          batch=f"江苏省 {this_year - 1} 年第二批")
    grant(enterprise, "tsme", min(timezone.localdate(), date(this_year, 4, 18)),
          number=f"{this_year}32010200456")
    for number, ip_type, title, granted in (
            ("ZL202210345678.9", IPType.INVENTION, "一种基于深度学习的工业视觉检测方法", date(this_year - 2, 8, 15)),
            ("ZL202320123456.7", IPType.UTILITY_MODEL, "一种智能巡检装置", date(this_year - 2, 12, 1)),
            ("2024SR0123456", IPType.SOFTWARE_COPYRIGHT, "紫金山视觉检测平台软件 V2.0", date(this_year - 1, 3, 8))):
        IntellectualProperty.objects.create(enterprise=enterprise, ip_type=ip_type, number=number, title=title,
                                            granted_on=granted)
    return enterprise


@pytest.mark.e2e
def test_city_officer_opens_an_enterprise_profile(live_server, transactional_db):
    from kechuang.accounts.roles import Role
    from kechuang.core.testing.personas import PASSWORD, make_user

    # All ORM work before the browser starts.
    call_command("load_regions", "--streets", "3201", stdout=io.StringIO())
    make_user("city_officer", Role.BUREAU_OFFICER, "320100000000", display_name="李科长")
    enterprise = make_profiled_enterprise()

    with offline_page() as (page, traffic):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "city_officer")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert urlsplit(page.url).path == "/", page.url

        # From the enterprise list to the profile, as an officer would.
        page.goto(live_server.url + "/enterprises/?q=紫金山")
        with page.expect_navigation():
            page.click(f"a[href='{enterprise.get_absolute_url()}']")
        assert urlsplit(page.url).path == enterprise.get_absolute_url()

        assert page.locator("h1").inner_text().strip() == "南京紫金山智能科技有限公司"
        assert "高新技术企业" in page.locator("#held-rungs").inner_text()
        identity = page.locator("#profile-identity").inner_text()
        assert "139****5678" in identity and "13912345678" not in page.content()
        annual = page.locator("#profile-annual").inner_text()
        assert all(str(timezone.localdate().year - n) in annual for n in (1, 2, 3)) and "6.2" in annual
        ladder = page.locator("#profile-ladder").inner_text()
        assert ladder.count("科技型中小企业（入库）") == 2 and "已过期" in ladder and "有效" in ladder
        assert "一种基于深度学习的工业视觉检测方法" in page.locator("#profile-ip").inner_text()

        # The trend chart is drawn (local ECharts), with both lines.
        assert page.evaluate("typeof window.echarts") == "object", \
            f"ECharts 未加载（静态文件请求失败：{traffic.failed_responses}）"
        page.wait_for_selector("#enterprise-trend canvas", state="attached", timeout=10_000)
        series = page.evaluate(
            "echarts.getInstanceByDom(document.querySelector('#enterprise-trend')).getOption().series"
            ".map(s => [s.type, s.name, s.data.length])")
        assert series == [["line", "销售收入", 3], ["line", "研发费用", 3]]

        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "() => { const c = echarts.getInstanceByDom(document.querySelector('#enterprise-trend'));"
            " return !!c && c.getZr().animation.isFinished(); }", timeout=10_000)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    assert traffic.remote_requests == [], f"页面尝试访问外部主机（应用必须完全离线）：{traffic.remote_requests}"
    assert traffic.failed_responses == [], f"页面上有请求失败：{traffic.failed_responses}"
