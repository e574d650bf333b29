"""Enterprise registry imports and exports through the core pipeline and the `import`/`export` commands."""

import io
import json
from datetime import date
from decimal import Decimal

import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.audit.models import ObjectChange
from kechuang.core.testing.personas import STREET_A, STREET_B
from kechuang.enterprises.imports import SCHEMAS
from kechuang.enterprises.models import Enterprise, EnterpriseYear, Qualification
from kechuang.enterprises.services import ensure_builtin_kinds
from kechuang.enterprises.testing import make_enterprise, make_uscc


def workbook(path, headers, rows):
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for n, row in enumerate(rows, start=1):
        sheet.write_row(n, 0, row)
    book.close()
    return path


def run_cli(*args):
    out = io.StringIO()
    try:
        call_command(*args, "--json", stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(out.getvalue())


ENTERPRISE_HEADERS = [c.header for c in SCHEMAS["enterprises"].columns]
ANNUAL_HEADERS = [c.header for c in SCHEMAS["annual"].columns]


def enterprise_row(serial, name, region=STREET_A, industry="6513"):
    return [make_uscc(serial), name, region, "2015-03-01", 500, "民营企业", industry, "电子信息", "未上市", "南京"]


def annual_row(uscc, year, employees=100, tech=20):
    figures = {"employees": employees, "tech_staff": tech, "rd_staff": 15, "sales_revenue": 3000.5,
               "main_revenue": 2900, "total_income": 3100, "hightech_income": 2000, "rd_expense": 180.25,
               "rd_expense_domestic": 170, "rd_expense_commissioned": 10, "total_cost": 2500, "total_assets": 2500,
               "liabilities": 1000, "net_assets": 1500, "profit": 300, "tax_paid": 120, "exports": 0,
               "ip_class1": 1, "ip_class2": 3, "results_converted": 2, "standards_led": 0}
    return [uscc, year, *figures.values()]


def test_enterprises_import_creates_then_is_unchanged(cast, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS,
                    [enterprise_row(1, "甲科技有限公司"), enterprise_row(2, "乙科技有限公司", "秦虹街道", "39")])
    code, result = run_cli("import", "enterprises", str(path))
    assert code == 0 and result == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    b = Enterprise.objects.get(name="乙科技有限公司")
    assert b.region_id == STREET_B and b.industry_section == "C" and b.ownership == "private"
    assert ObjectChange.objects.filter(action="create", content_type__model="enterprise").count() == 2
    code, again = run_cli("import", "enterprises", str(path))
    assert again["unchanged"] == 2 and again["created"] == again["updated"] == 0


def test_one_bad_row_among_many_writes_nothing_and_names_row_and_column(cast, tmp_path):
    rows = [enterprise_row(n, f"企业{n}") for n in range(1, 1001)]
    rows[536][0] = rows[536][0][:17] + ("0" if rows[536][0][17] != "0" else "1")
    path = workbook(tmp_path / "bad.xlsx", ENTERPRISE_HEADERS, rows)
    code, result = run_cli("import", "enterprises", str(path))
    assert code == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(538, "统一社会信用代码")]
    assert "第 18 位" in result["errors"][0]["message"]
    assert not Enterprise.objects.exists()


def test_annual_import_checks_figures_and_round_trips_through_export(cast, tmp_path):
    a = make_enterprise("甲科技", STREET_A, 1)
    bad = annual_row(a.uscc, 2023, employees=10, tech=12)
    path = workbook(tmp_path / "a.xlsx", ANNUAL_HEADERS, [annual_row(a.uscc, 2024), bad,
                                                          annual_row(make_uscc(99), 2024)])
    code, result = run_cli("import", "annual", str(path))
    assert code == 1 and not EnterpriseYear.objects.exists()
    assert {(e["row"], e["column"]) for e in result["errors"]} == {
        (3, "科技人员数"), (3, "研发人员数"), (4, "统一社会信用代码")}

    path = workbook(tmp_path / "b.xlsx", ANNUAL_HEADERS, [annual_row(a.uscc, 2024), annual_row(a.uscc, 2023)])
    assert run_cli("import", "annual", str(path))[1]["created"] == 2
    year = EnterpriseYear.objects.get(year=2024)
    assert year.rd_expense == Decimal("180.25") and year.source == "import"

    out = tmp_path / "export.xlsx"
    call_command("export", "annual", "--out", str(out), stdout=io.StringIO())
    code, result = run_cli("import", "annual", str(out))
    assert code == 0 and result["unchanged"] == 2 and result["created"] == result["updated"] == 0


def test_export_filters_by_region_year_and_user_scope(cast, tmp_path):
    import openpyxl

    a = make_enterprise("甲科技", STREET_A, 1)
    b = make_enterprise("乙科技", STREET_B, 2)
    for e in (a, b):
        EnterpriseYear.objects.create(enterprise=e, year=2024, employees=10)
    EnterpriseYear.objects.create(enterprise=a, year=2023, employees=10)

    def exported(*args):
        out = tmp_path / "x.xlsx"
        call_command("export", "annual", "--out", str(out), *args, stdout=io.StringIO())
        sheet = openpyxl.load_workbook(out, read_only=True).active
        return sorted((r[0], r[1]) for r in sheet.iter_rows(min_row=2, values_only=True))

    assert exported("--year", "2024") == sorted([(a.uscc, 2024), (b.uscc, 2024)])
    assert exported("--region", "320102") == sorted([(a.uscc, 2023), (a.uscc, 2024)])
    assert exported("--user", "district_b_officer") == [(b.uscc, 2024)]


def test_hnte_public_list_reports_new_renamed_and_conflicting(cast, tmp_path):
    ensure_builtin_kinds(actor=None)
    a = make_enterprise("甲科技有限公司", STREET_A, 1)
    b = make_enterprise("乙科技有限公司", STREET_A, 2)
    headers = ["企业名称", "统一社会信用代码", "证书编号", "发证日期"]
    path = workbook(tmp_path / "list.xlsx", headers, [
        ["甲科技有限公司", a.uscc, "GR202432000001", "2024-12-01"],
        ["乙科技股份有限公司", b.uscc, "GR202432000002", "2024-12-01"],   # renamed
        ["丙科技有限公司", make_uscc(3), "GR202432000003", "2024-12-01"],  # new
        ["甲科技有限公司", make_uscc(4), "GR202432000004", "2024-12-01"],  # conflicting
    ])
    code, result = run_cli("import", "hnte_list", str(path))
    assert code == 1 and not Qualification.objects.exists()
    messages = {e["row"]: e["message"] for e in result["errors"]}
    assert "【更名】" in messages[3] and "【新企业】" in messages[4] and "【冲突】" in messages[5]

    ok = workbook(tmp_path / "ok.xlsx", headers, [["甲科技有限公司", a.uscc, "GR202432000001", "2024-12-01"]])
    code, result = run_cli("import", "hnte_list", str(ok))
    assert code == 0 and result["created"] == 1
    cert = Qualification.objects.get()
    assert cert.kind.code == "hnte" and cert.valid_to == date(2027, 11, 30)
    assert Enterprise.objects.qualified("hnte", on=date(2025, 1, 1)).get() == a


def test_import_command_refuses_a_hostile_file_cleanly(cast, tmp_path):
    path = tmp_path / "virus.xlsx"
    path.write_bytes(b"MZ" + b"\0" * 200)
    code, result = run_cli("import", "enterprises", str(path))
    assert code == 1 and result["errors"][0]["row"] == 0 and result["created"] == 0


def test_dry_run_writes_nothing(cast, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [enterprise_row(1, "甲科技有限公司")])
    code, result = run_cli("import", "enterprises", str(path), "--dry-run")
    assert code == 0 and result["created"] == 1 and not Enterprise.objects.exists()
