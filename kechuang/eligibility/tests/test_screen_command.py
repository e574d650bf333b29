"""`kechuang screen PROGRAMME --year Y [--region CODE] --out FILE.xlsx`: exit codes and the workbook."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.audit.models import DomainEvent
from kechuang.core.testing.personas import STREET_A, STREET_B
from kechuang.eligibility.models import ScreeningRun
from kechuang.enterprises.models import EnterpriseYear
from kechuang.enterprises.testing import grant, make_enterprise

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://x","y")'
FIGURES = {"employees": 120, "tech_staff": 20, "sales_revenue": Decimal(3000), "total_assets": Decimal(2500),
           "total_cost": Decimal(2800), "rd_expense": Decimal(180), "ip_class1": 1, "ip_class2": 0}


@pytest.fixture
def registry(cast):
    def add(name, serial, region=STREET_A, **figures):
        made = make_enterprise(name, region, serial, registered_on=date(2015, 1, 1), industry_code="6513")
        EnterpriseYear.objects.create(enterprise=made, year=2024, **{**FIGURES, **figures})
        return made

    add(HOSTILE, 1)
    add("乙超编", 2, employees=501, tech_staff=84)
    grant(add("丙已超标", 3, sales_revenue=Decimal(25000), rd_expense=Decimal(1500)), "tsme", date(2025, 3, 1))
    add("丁秦淮", 4, region=STREET_B)


def screen(*args):
    out = io.StringIO()
    try:
        call_command("screen", *args, stdout=out, stderr=io.StringIO())
        return 0, out.getvalue()
    except CommandError as exc:
        return exc.returncode, str(exc)


def test_it_saves_the_run_and_writes_the_entries_to_xlsx(registry, tmp_path):
    out = tmp_path / "screen.xlsx"
    code, text = screen("tech_sme", "--year", "2024", "--as-of", "2025-06-01", "--region", "3201", "--out", str(out))
    assert code == 0, text
    assert "4 家企业" in text and "可申报 2" in text and "后备库 1" in text and "风险 1" in text
    run = ScreeningRun.objects.get()
    assert run.region_id == "320100000000" and run.year == 2024
    sheet = openpyxl.load_workbook(out).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["类别", "排名", "统一社会信用代码", "企业名称"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("可申报（符合条件但未持有）", 1, HOSTILE), ("可申报（符合条件但未持有）", 2, "丁秦淮"),
        ("后备库（差距最小）", 1, "乙超编"), ("风险（持有但已不符合）", 1, "丙已超标")]
    assert sheet.cell(row=2, column=4).data_type == "s"  # a formula-looking name stays text
    reserve = rows[3]
    assert reserve[7] == 88 and reserve[10] == pytest.approx(0.002) and "职工总数超出上限 1 人" in reserve[11]
    assert run.rules_version in openpyxl.load_workbook(out).properties.title


def test_a_user_screens_only_what_they_may_see(registry, tmp_path):
    code, text = screen("tech_sme", "--year", "2024", "--as-of", "2025-06-01", "--user", "district_b_officer",
                        "--out", str(tmp_path / "b.xlsx"))
    assert code == 0, text
    assert ScreeningRun.objects.get().enterprise_count == 1 and "可申报 1" in text


def test_without_a_region_the_smallest_region_holding_every_enterprise_is_screened(registry, tmp_path):
    code, text = screen("tech_sme", "--year", "2024", "--as-of", "2025-06-01", "--out", str(tmp_path / "x.xlsx"))
    assert code == 0, text
    assert ScreeningRun.objects.get().region_id == "320100000000"


@pytest.mark.parametrize("args, field", [
    (("nope", "--year", "2024"), "programme"),
    (("tech_sme", "--year", "2099"), "year"),
    (("tech_sme", "--year", "2015"), "year"),
    (("tech_sme", "--year", "2016", "--as-of", "2016-06-30"), "as_of"),
    (("tech_sme", "--year", "2024", "--as-of", "2025-13-01"), "as_of"),
    (("tech_sme", "--year", "2024", "--region", "99"), "region"),
    (("tech_sme", "--year", "2024", "--user", "ghost"), "user"),
])
def test_bad_input_exits_2_naming_the_field_and_saves_nothing(registry, tmp_path, args, field):
    out = tmp_path / "bad.xlsx"
    code, text = screen(*args, "--out", str(out))
    assert code == 2 and f"（{field}）" in text
    assert not ScreeningRun.objects.exists() and not DomainEvent.objects.filter(event_type="screening").exists()
    assert not out.exists()
