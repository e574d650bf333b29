"""Exports are formula-safe (SECURITY.md F8); the shell shows only what a user may open."""

import io

import openpyxl
import pytest

from kechuang.core.export import write_xlsx
from kechuang.regions.models import Region

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1+2", "=1+1"]


def test_hostile_strings_are_written_as_text_not_formulas():
    content, count = write_xlsx(["名称"], [[s] for s in HOSTILE])
    assert count == len(HOSTILE)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == HOSTILE
    assert all(c.data_type != "f" for c in cells)


def test_a_region_named_like_a_formula_exports_as_text(cast, client_as):
    Region.objects.filter(code="320102002000").update(name='=HYPERLINK("http://x","y")')
    response = client_as("district_a_officer").get("/regions/export/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = {row[1].value: row[1].data_type for row in sheet.iter_rows(min_row=2)}
    assert names['=HYPERLINK("http://x","y")'] == "s"


@pytest.mark.parametrize("persona, shown, hidden", [
    ("city_officer", ["行政区划"], ["用户", "变更日志"]),
    ("system_admin", ["用户", "行政区划"], ["变更日志"]),
    ("audit_admin", ["变更日志", "业务事件"], ["用户", "行政区划"]),
])
def test_the_side_navigation_shows_only_what_the_role_may_open(client_as, persona, shown, hidden):
    body = client_as(persona).get("/").content.decode()
    nav = body[body.index('class="kc-sidebar"'):body.index('class="kc-main"')]
    assert all(label in nav for label in shown)
    assert not any(f"</i> {label}</a>" in nav for label in hidden)


def test_the_dashboard_counts_only_the_users_scope(client_as):
    response = client_as("district_a_officer").get("/")
    cards = {c["widget"].key: c["context"] for c in response.context["cards"]}
    assert cards["region_counts"]["total"] == 2  # 玄武区 and its one street
    assert cards["region_tree"]["top"].code == "320102000000"
    assert "秦淮区" not in response.content.decode()
