"""The system Chromium for end-to-end tests, with the app's offline rule watched on every request."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """Return the system Chromium's path, or fail the test (never skip) with how to install it."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail("未找到系统 Chromium（chromium 不在 PATH 中，/usr/bin/chromium 也不存在）。"
                    "请先运行 `make browser` 安装 Chromium 和中文字体。", pytrace=False)
    return path


@dataclass
class Traffic:
    """Requests to hosts other than this machine (must stay empty) and failed responses."""

    remote_requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)


@contextmanager
def offline_page() -> Iterator[tuple[Any, Traffic]]:
    """Yield a 1440×900 zh-CN page of the system Chromium and the traffic it sees."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    traffic = Traffic()

    def on_request(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in {"data", "blob", "about"} and parts.hostname not in LOCAL_HOSTS:
            traffic.remote_requests.append(request.url)

    def on_response(response: Any) -> None:
        if response.status >= 400 and urlsplit(response.url).path != "/favicon.ico":
            traffic.failed_responses.append(f"{response.status} {response.url}")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.on("request", on_request)
            page.on("response", on_response)
            yield page, traffic
        finally:
            browser.close()
