"""End to end: the leader dashboard (领导驾驶舱) and a red/black list (红黑榜) on the small demo dataset, offline.

Needs the system Chromium (`make browser`); never skipped. Saves docs/img/leader-dashboard.png and
docs/img/redblack.png for the README.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.browser import offline_page

REPO_DIR = Path(__file__).resolve().parents[2]
DASHBOARD = REPO_DIR / "docs" / "img" / "leader-dashboard.png"
REDBLACK = REPO_DIR / "docs" / "img" / "redblack.png"


@pytest.mark.e2e
def test_leader_sees_dashboard_and_officer_publishes_a_red_black_list(live_server, transactional_db):
    from kechuang.demo.steps import DEMO_PASSWORD
    from kechuang.indicators.figures import region_figures
    from kechuang.indicators.models import AssessmentScheme, Indicator, RedBlackList
    from kechuang.regions.models import Region

    call_command("load_demo", "--scale", "small", stdout=io.StringIO())
    city = Region.objects.get(code="320100000000")
    hnte = Indicator.objects.get(code="hnte_total")
    expected = region_figures(hnte, [city], 2024, date(2024, 12, 31))[0].value
    scheme = AssessmentScheme.objects.get()
    districts = Region.objects.children_of(city.code).count()
    before = RedBlackList.objects.count()

    with offline_page() as (page, traffic):
        _login(page, live_server.url, "leader", DEMO_PASSWORD)
        page.goto(live_server.url + "/indicators/?year=2024&as_of=2024-12-31")
        card = page.locator("[data-indicator=hnte_total]")
        # The dashboard shows the same figure the shared reading code returns, with its target and status.
        assert f"{expected:.0f}" in card.inner_text()
        assert "目标" in card.inner_text()
        assert page.locator("[data-indicator=rd_intensity] canvas").count() >= 1  # ECharts drew the gauge
        assert page.locator("#dashboard-redblack tbody tr").count() >= 5
        page.wait_for_load_state("networkidle")
        DASHBOARD.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DASHBOARD), full_page=True)
        page.context.clear_cookies()

        _login(page, live_server.url, "city_officer", DEMO_PASSWORD)
        page.goto(live_server.url + f"/indicators/redblack/?scheme={scheme.pk}&as_of=2024-09-30")
        table = page.locator("#redblack-table")
        assert table.locator("tbody tr").count() == districts
        assert table.locator(".badge.text-bg-danger").count() >= 3  # the red list
        with page.expect_navigation():
            page.click("#publish-form button")
        assert "已冻结" in page.locator("main").inner_text()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(REDBLACK), full_page=True)

    assert RedBlackList.objects.count() == before + 1
    assert traffic.remote_requests == [], f"页面尝试访问外部主机（应用必须完全离线）：{traffic.remote_requests}"
    assert traffic.failed_responses == [], f"页面上有请求失败：{traffic.failed_responses}"


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
