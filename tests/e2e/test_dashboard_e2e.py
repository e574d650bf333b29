"""End to end: log in as the demo city officer in the system Chromium and check the dashboard renders offline.

Needs the system Chromium (`make browser`); never skipped. Saves docs/img/dashboard.png for the README.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.e2e.browser import offline_page

REPO_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO_DIR / "docs" / "img" / "dashboard.png"


@pytest.mark.e2e
def test_city_officer_dashboard(live_server, transactional_db):
    # The demo city's regions and accounts, exactly as `kechuang load_demo` (all ORM work before the browser).
    call_command("load_demo", "--scale", "small", "--seed", "1", stdout=io.StringIO())

    with offline_page() as (page, traffic):
        # Anonymous: the home page redirects to the login form.
        page.goto(live_server.url + "/")
        assert urlsplit(page.url).path == "/accounts/login/", page.url

        page.fill("#id_username", "city_officer")
        page.fill("#id_password", "Demo-Pass-2026")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert urlsplit(page.url).path == "/", page.url

        # The dashboard: heading, role and scope in the top bar, navigation, widgets.
        assert page.locator("h1").inner_text().strip() == "工作台"
        topbar = page.locator(".kc-topbar")
        assert "科室人员" in topbar.inner_text()
        assert "南京市" in topbar.inner_text()
        assert "行政区划" in page.locator(".kc-sidebar").inner_text()
        assert "玄武区" in page.locator("#widget-region_tree").inner_text()
        assert page.evaluate("typeof window.echarts") == "object", \
            f"ECharts 未加载（静态文件请求失败：{traffic.failed_responses}）"
        page.wait_for_selector("#widget-region_counts .kc-chart canvas", state="attached", timeout=10_000)

        # The local CSS and JavaScript really loaded (no CDN: everything is served by the app).
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.kc-topbar')).backgroundImage")
        assert "gradient" in background, f"kechuang.css 未生效（.kc-topbar 背景：{background}）"
        sidebar_width = page.evaluate("document.querySelector('.kc-sidebar').getBoundingClientRect().width")
        assert sidebar_width == 220, f"kechuang.css 未生效（侧边栏宽 {sidebar_width}px）"
        assert page.evaluate("typeof window.htmx") == "object"
        assert page.evaluate("typeof window.bootstrap") == "object"

        # Let ECharts finish its entry animation so the screenshot shows the real bar heights.
        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "() => { const c = echarts.getInstanceByDom(document.querySelector('#widget-region_counts .kc-chart'));"
            " return !!c && c.getZr().animation.isFinished(); }", timeout=10_000)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    assert traffic.remote_requests == [], f"页面尝试访问外部主机（应用必须完全离线）：{traffic.remote_requests}"
    assert traffic.failed_responses == [], f"页面上有请求失败：{traffic.failed_responses}"
