"""The import pipeline: all or nothing, row-level errors, idempotent upsert with a change log (SECURITY.md K5, K6)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.imports.pipeline import RowError, TemplateMismatch, run_import
from kechuang.core.imports.region_schema import RegionImportSchema
from kechuang.core.imports.report import error_workbook, format_errors
from kechuang.core.imports.safety import ImportRejected, check_workbook
from kechuang.core.imports.schema import (
    Column,
    ImportSchema,
    Lookups,
    RowValueError,
    date_value,
    decimal_amount,
    integer,
    region,
    text,
    uscc,
)
from kechuang.core.imports.template import INSTRUCTIONS_SHEET, template_workbook
from kechuang.core.models import ImportBatch
from kechuang.core.testing.personas import make_user
from kechuang.core.tests.fixtures_xlsx import Formula, make_workbook
from kechuang.enterprises.models import Enterprise, EnterpriseYear
from kechuang.enterprises.testing import make_enterprise, make_uscc
from kechuang.regions.models import Region

pytestmark = pytest.mark.django_db

HEADER = ["区划代码", "名称", "层级", "上级代码"]
TREE = [
    ["320100000000", "南京市", "地级", "320000000000"],  # the child before its parent: one transaction, deferred FKs
    ["320000000000", "江苏省", "省级", ""],
    ["320102000000", "玄武区", "县级", "320100000000"],
    ["320104000000", "秦淮区", "county", "3201"],
]


def townships(count: int) -> list[list[object]]:
    """`count` township rows spread over counties of Nanjing (which the rows also create)."""
    rows: list[list[object]] = [["320000000000", "江苏省", "省级", ""], ["320100000000", "南京市", "地级", "32"]]
    county = 0
    while len(rows) < count:
        county += 1
        rows.append([f"3201{county:02d}000000", f"第{county}区", "县级", "3201"])
        rows.extend([f"3201{county:02d}{n:03d}000", f"第{county}区第{n}街道", "乡级", f"3201{county:02d}"]
                    for n in range(1, min(999, count - len(rows)) + 1))
    return rows


def workbook(tmp_path: Path, rows: list[list[object]], header: list[object] = HEADER, name: str = "regions.xlsx"
             ) -> Path:
    return make_workbook(tmp_path / name, [header, *rows])


def changes(model: type = Region) -> list[ObjectChange]:
    return list(ObjectChange.objects.filter(content_type__model=model._meta.model_name).order_by("id"))


# --- a clean import -----------------------------------------------------------------------------------------


def test_a_region_file_is_written_with_its_change_log_batch_and_event(tmp_path, db):
    officer = make_user("importer")
    before = ObjectChange.objects.count()
    result = run_import(RegionImportSchema, workbook(tmp_path, TREE), actor=officer)
    assert (result.created, result.updated, result.unchanged, result.errors) == (4, 0, 0, [])
    assert result.committed and result.filename == "regions.xlsx"
    assert dict(Region.objects.values_list("code", "parent_id")) == {
        "320000000000": None, "320100000000": "320000000000", "320102000000": "320100000000",
        "320104000000": "320100000000"}
    qinhuai = Region.objects.get(code="320104000000")
    assert (qinhuai.level, qinhuai.kind, qinhuai.short_name) == ("county", "administrative", "")
    assert qinhuai.created is not None and qinhuai.last_updated == qinhuai.created
    logged = list(ObjectChange.objects.order_by("id")[before:])
    assert sorted(c.object_id for c in logged) == sorted(row[0] for row in TREE)
    assert {(c.action, c.channel, c.actor_id) for c in logged} == {("create", "import", officer.pk)}
    assert next(c for c in logged if c.object_id == "320104000000").after["name"] == "秦淮区"
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.kind, batch.status, batch.created_count, batch.actor, batch.sha256) == (
        "regions.region", "completed", 4, officer, result.sha256)
    assert batch.finished >= batch.started
    event = DomainEvent.objects.get(event_type="import")
    assert event.object_id == str(batch.pk) and event.data["created"] == 4 and event.channel == "import"


def test_reimporting_the_same_file_changes_nothing_and_is_marked_a_duplicate(tmp_path, db):
    path = workbook(tmp_path, TREE)
    first = run_import(RegionImportSchema, path, actor=None)
    stamps = dict(Region.objects.values_list("code", "last_updated"))
    logged = ObjectChange.objects.count()
    again = run_import(RegionImportSchema, path, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert ObjectChange.objects.count() == logged
    assert dict(Region.objects.values_list("code", "last_updated")) == stamps
    assert again.duplicate_of == first.batch_id
    assert ImportBatch.objects.get(pk=again.batch_id).status == "duplicate"
    assert DomainEvent.objects.filter(event_type="import").count() == 2


def test_an_update_writes_one_change_per_changed_row_with_before_and_after(tmp_path, db):
    run_import(RegionImportSchema, workbook(tmp_path, townships(30), name="v1.xlsx"), actor=None)
    created = dict(Region.objects.values_list("code", "created"))
    logged = ObjectChange.objects.count()
    rows = townships(30)
    for row in rows[5:8]:
        row[1] = f"{row[1]}（新）"
    result = run_import(RegionImportSchema, workbook(tmp_path, rows, name="v2.xlsx"), actor=None)
    assert (result.created, result.updated, result.unchanged) == (0, 3, 27)
    new = ObjectChange.objects.order_by("id")[logged:]
    assert [(c.action, c.object_id) for c in new] == [("update", row[0]) for row in rows[5:8]]
    assert all(c.after["name"] == c.before["name"] + "（新）" for c in new)
    assert {k for c in new for k in c.changed_fields} == {"name"}
    assert dict(Region.objects.values_list("code", "created")) == created
    changed = Region.objects.get(code=rows[5][0])
    assert changed.last_updated > changed.created


def test_a_dry_run_counts_but_writes_nothing(tmp_path, db):
    result = run_import(RegionImportSchema, workbook(tmp_path, TREE), actor=None, dry_run=True)
    assert (result.created, result.dry_run, result.committed) == (4, True, False)
    assert not Region.objects.exists() and not ObjectChange.objects.exists() and not ImportBatch.objects.exists()


def test_an_uploaded_file_is_imported_under_its_own_name(tmp_path, db):
    upload = SimpleUploadedFile("区划.xlsx", workbook(tmp_path, TREE).read_bytes())
    result = run_import(RegionImportSchema, upload, actor=None)
    assert result.created == 4 and result.filename == "区划.xlsx"


# --- the header ---------------------------------------------------------------------------------------------


def test_a_wrong_template_names_the_expected_missing_and_unknown_headers(tmp_path, db):
    path = workbook(tmp_path, [["320000000000", "江苏省"]], header=["代码号", "名称", "级别"])
    with pytest.raises(TemplateMismatch) as refused:
        run_import(RegionImportSchema, path, actor=None)
    message = refused.value.message
    assert "缺少列：区划代码、层级" in message
    assert "无法识别的列：代码号、级别" in message
    assert "模板的列为：区划代码、名称、层级、上级代码（选填）、类型（选填）" in message


def test_headers_match_by_alias_in_any_order_and_the_error_column_is_ignored(tmp_path, db):
    header = ["层级", " 区划名称 ", "*统计用区划代码", "错误说明"]
    rows = [["省级", "江苏省", "32", "旧的错误说明"]]
    result = run_import(RegionImportSchema, workbook(tmp_path, rows, header=header), actor=None)
    assert result.created == 1
    assert Region.objects.get().name == "江苏省"


def test_a_column_given_twice_is_refused(tmp_path, db):
    path = workbook(tmp_path, [["32", "江苏省", "省级", "江苏"]], header=["区划代码", "名称", "层级", "区划名称"])
    with pytest.raises(TemplateMismatch, match="重复的列：区划名称"):
        run_import(RegionImportSchema, path, actor=None)


def test_a_file_with_only_a_header_is_refused(tmp_path, db):
    with pytest.raises(ImportRejected, match="没有数据行"):
        run_import(RegionImportSchema, workbook(tmp_path, []), actor=None)


# --- row errors ---------------------------------------------------------------------------------------------


def test_one_bad_row_among_ten_thousand_writes_nothing_and_is_reported_exactly(tmp_path, db):
    rows = townships(10_000)
    rows[6000][2] = "区级"
    result = run_import(RegionImportSchema, workbook(tmp_path, rows), actor=None)
    assert result.rows == 10_000
    assert result.errors == [RowError(6002, "层级", "“区级”不是可选的值，应为：省级、地级、县级、乡级、村级。")]
    assert result.error_count == 1 and not result.committed
    assert not Region.objects.exists() and not ObjectChange.objects.exists() and not ImportBatch.objects.exists()
    assert not DomainEvent.objects.exists()


def test_duplicate_keys_are_errors_on_the_later_rows(tmp_path, db):
    rows = [TREE[1], TREE[0], ["32", "江苏", "省级", ""], TREE[2], ["320100000000", "南京", "地级", "32"]]
    result = run_import(RegionImportSchema, workbook(tmp_path, rows), actor=None)
    assert [(e.row, e.column) for e in result.errors] == [(4, "区划代码"), (6, "区划代码")]
    assert "与第 2 行重复" in result.errors[0].message and "与第 3 行重复" in result.errors[1].message
    assert not Region.objects.exists()


def test_a_formula_cell_is_an_error_whatever_its_cached_value(tmp_path, db):
    rows = [["320000000000", Formula('="江苏"&"省"', "江苏省"), "省级", ""], ["320100000000", "南京市", "地级", "32"],
            [Formula("=1+1", 3), None, None, None]]
    result = run_import(RegionImportSchema, workbook(tmp_path, rows), actor=None)
    assert [(e.row, e.column) for e in result.errors] == [(2, "名称"), (4, "区划代码"), (4, "名称"), (4, "层级")]
    assert "公式" in result.errors[0].message and "公式" in result.errors[1].message


def test_a_formula_in_an_otherwise_blank_row_is_ignored(tmp_path, db):
    rows = [TREE[1], [None, Formula('=IF(A2="","",1)', ""), None, None]]
    result = run_import(RegionImportSchema, workbook(tmp_path, rows), actor=None)
    assert result.ok and result.created == 1


def test_required_and_malformed_values_are_reported_by_row_and_column(tmp_path, db):
    rows = [["320000000000", "江苏省", "省级", ""], ["320100000000", "", "地级", "320000000000"],
            ["3205", "苏州市", "地级", "1234567"], [None, None, None, "32"],
            ["320400000000", "常州市", "地级", "320400000000"]]
    result = run_import(RegionImportSchema, workbook(tmp_path, rows), actor=None)
    assert format_errors(result.errors) == [
        "第 3 行 · 名称: 必填，不能为空。",
        "第 4 行 · 上级代码: 区划代码“1234567”应为 2、4、6、9 或 12 位数字。",
        "第 5 行 · 区划代码: 必填，不能为空。",
        "第 5 行 · 名称: 必填，不能为空。",
        "第 5 行 · 层级: 必填，不能为空。",
        "第 6 行 · 上级代码: 上级代码不能是区划自身的代码。",
    ]
    assert result.error_count == 6 and not Region.objects.exists()


def test_the_region_tree_is_checked_across_the_file_and_the_database(tmp_path, db):
    Region.objects.create(code="310000000000", name="上海市", level="province")
    rows = [
        ["320000000000", "江苏省", "省级", ""],
        ["320100000000", "南京市", "地级", "320000000000"],      # 3: fine (parent in the file)
        ["320200000000", "无锡市", "县级", "320000000000"],      # 4: level does not match the code
        ["330100000000", "杭州市", "地级", "320000000000"],      # 5: not under its parent
        ["320300000000", "徐州市", "地级", "340000000000"],      # 6: the parent exists nowhere
        ["310100000000", "上海市辖区", "地级", "31"],             # 7: fine (parent in the database)
    ]
    result = run_import(RegionImportSchema, workbook(tmp_path, rows), actor=None)
    assert format_errors(result.errors) == [
        "第 4 行 · 层级: 层级与区划代码不符：代码 320200000000 对应的层级是“地级”。",
        "第 5 行 · 上级代码: 区划代码 330100000000 不在上级区划 320000000000 之下（应以上级代码的有效位开头）。",
        "第 6 行 · 上级代码: 上级区划 340000000000 不存在（系统和本文件中都没有）。",
    ]
    assert Region.objects.count() == 1


def test_a_failure_while_writing_leaves_the_database_unchanged(tmp_path, db):
    with mock.patch("kechuang.core.imports.pipeline.log_bulk_changes", side_effect=RuntimeError("disk full")), \
            pytest.raises(RuntimeError):
        run_import(RegionImportSchema, workbook(tmp_path, TREE), actor=None)
    assert not Region.objects.exists() and not ImportBatch.objects.exists()


def test_a_database_constraint_the_schema_did_not_check_refuses_the_whole_file(tmp_path, db):
    unchecked = replace(RegionImportSchema, file_checks=())
    path = workbook(tmp_path, [["320100000000", "南京市", "地级", "320000000000"]])
    with pytest.raises(ImportRejected, match="约束冲突"):
        run_import(unchecked, path, actor=None)
    assert not Region.objects.exists() and not ImportBatch.objects.exists()


# --- reports and templates ------------------------------------------------------------------------------------


def test_the_error_workbook_returns_the_rows_with_an_error_column_as_plain_values(tmp_path, db):
    rows = [TREE[1], ["320100000000", '=HYPERLINK("http://x","y")', "区级", "32"], TREE[2]]
    result = run_import(RegionImportSchema, workbook(tmp_path, rows), actor=None)
    content = error_workbook(result.sheet.rows, result.sheet.header, result.errors)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == [*HEADER, "错误说明"]
    assert values[2][:4] == ["320100000000", '=HYPERLINK("http://x","y")', "区级", "32"]
    assert sheet.cell(3, 2).data_type == "s"
    assert values[2][4] == "层级: “区级”不是可选的值，应为：省级、地级、县级、乡级、村级。"
    assert values[1][4] is None and values[3][4] is None
    fixed = tmp_path / "fixed.xlsx"
    sheet.cell(3, 3).value = "地级"
    sheet.parent.save(fixed)
    assert run_import(RegionImportSchema, fixed, actor=None).created == 3


def test_format_errors_reads_row_column_and_reason():
    errors = [RowError(12, "统一社会信用代码", "第 18 位（校验码）应为“X”"), RowError(3, "", "整行有误"), RowError(0, "", "文件有误")]
    assert format_errors(errors) == ["第 12 行 · 统一社会信用代码: 第 18 位（校验码）应为“X”", "第 3 行: 整行有误", "文件有误"]


def test_the_template_has_headers_validation_comments_and_instructions(tmp_path, db):
    content = template_workbook(RegionImportSchema)
    path = tmp_path / "template.xlsx"
    path.write_bytes(content)
    check_workbook(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["行政区划", INSTRUCTIONS_SHEET]
    sheet = book["行政区划"]
    assert [c.value for c in sheet[1]] == ["区划代码", "名称", "层级", "上级代码", "类型"]
    assert "必填" in sheet["A1"].comment.text and "选填" in sheet["D1"].comment.text
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert validations["C2"].type == "list" and "县级" in validations["C2"].formula1
    assert validations["B2"].type == "textLength"
    notes = "\n".join(str(c.value) for row in book[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "上级代码" in notes and "选填" in notes and "不接受公式" in notes
    with pytest.raises(ImportRejected, match="没有数据行"):
        run_import(RegionImportSchema, path, actor=None)


def test_long_choice_lists_and_number_ranges_get_validation_too(tmp_path):
    many = [(f"c{n}", f"很长的选项名称第{n}项") for n in range(40)]
    from kechuang.core.imports.schema import choice

    schema = ImportSchema("test.many", "测试", Region, (
        Column("pick", "选项", choice(many)), Column("count", "数量", integer(min_value=0)),
        Column("money", "金额（万元）", decimal_amount(16, 2, min_value=Decimal("0"), max_value=10**6)),
        Column("day", "日期", date_value(), required=False),
    ), natural_key=("code",))
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(schema)))
    assert book.sheetnames == ["测试", "选项", INSTRUCTIONS_SHEET]
    assert book["选项"].sheet_state == "hidden"
    kinds = {str(v.sqref).split(":")[0]: (v.type, v.formula1) for v in book["测试"].data_validations.dataValidation}
    assert kinds["A2"] == ("list", "选项!$A$1:$A$40")
    assert kinds["B2"] == ("whole", "0") and kinds["C2"][0] == "decimal" and kinds["D2"][0] == "date"


# --- other models: an auto primary key, a composite key, lookups, numbers and dates ----------------------------


def _enterprise_ids(lookups: Lookups) -> dict[str, int]:
    return lookups.get("enterprises", lambda: dict(Enterprise._base_manager.values_list("uscc", "id")))


def _year_record(values: dict, lookups: Lookups) -> dict:
    enterprise = _enterprise_ids(lookups).get(values["uscc"])
    if enterprise is None:
        raise RowValueError("系统中没有该统一社会信用代码的企业。", column="uscc")
    return {"enterprise_id": enterprise, "year": values["year"], "employees": values["employees"],
            "sales_revenue": values["sales_revenue"], "source": "import"}


YEARS = ImportSchema(
    kind="test.enterprise_year", label="企业年度数据", model=EnterpriseYear,
    columns=(Column("uscc", "统一社会信用代码", uscc()), Column("year", "年度", integer(2000, 2100)),
             Column("employees", "职工总数", integer(min_value=0), required=False),
             Column("sales_revenue", "销售收入（万元）", decimal_amount(16, 2, min_value=0), required=False)),
    natural_key=("enterprise", "year"), to_db=_year_record, key_column_keys=("uscc", "year"),
)
ENTERPRISES = ImportSchema(
    kind="test.enterprise", label="企业", model=Enterprise,
    columns=(Column("uscc", "统一社会信用代码", uscc()), Column("name", "企业名称", text(200)),
             Column("region_id", "所在区域", region()), Column("registered_on", "成立日期", date_value(), required=False),
             Column("registered_capital", "注册资本（万元）", decimal_amount(16, 2, min_value=0), required=False)),
    natural_key=("uscc",),
)


def test_numbers_are_cast_and_checked_row_by_row(tmp_path, cast):
    enterprise = make_enterprise("甲公司", "320102000000", 1)
    header = ["统一社会信用代码", "年度", "职工总数", "销售收入（万元）"]
    rows = [[enterprise.uscc, 2022.0, 15.0, 1234.5], [enterprise.uscc, 2023.5, 15, 1],
            [enterprise.uscc, 2024, 16, "12.345"], [enterprise.uscc, 2025, 16, -3], [make_uscc(99), 2024, 1, 1],
            [enterprise.uscc.lower(), 2022, 15, 1]]
    result = run_import(YEARS, make_workbook(tmp_path / "years.xlsx", [header, *rows]), actor=None)
    assert format_errors(result.errors) == [
        "第 3 行 · 年度: 应为整数，实际为 2023.5。",
        "第 4 行 · 销售收入（万元）: 最多 2 位小数，实际为 12.345。",
        "第 5 行 · 销售收入（万元）: 应不小于 0，实际为 -3。",
        "第 6 行 · 统一社会信用代码: 系统中没有该统一社会信用代码的企业。",
        f"第 7 行 · 统一社会信用代码: 与第 2 行重复（{enterprise.uscc}、2022），同一记录只能出现一次。",
    ]
    assert not EnterpriseYear.objects.exists()


def test_a_composite_key_resolved_through_lookups_is_upserted(tmp_path, cast):
    enterprise = make_enterprise("甲公司", "320102000000", 1)
    EnterpriseYear.objects.create(enterprise=enterprise, year=2023, employees=10, sales_revenue=Decimal("100"))
    header = ["统一社会信用代码", "年度", "职工总数", "销售收入（万元）"]
    rows = [[enterprise.uscc, 2023, 12, 100], [enterprise.uscc, 2024.0, 15.0, 1234.5]]
    path = make_workbook(tmp_path / "years.xlsx", [header, *rows])
    result = run_import(YEARS, path, actor=None)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    stored = {y.year: (y.employees, y.sales_revenue) for y in EnterpriseYear.objects.all()}
    assert stored == {2023: (12, Decimal("100.00")), 2024: (15, Decimal("1234.50"))}
    update = changes(EnterpriseYear)[-1]
    assert (update.before["employees"], update.after["employees"]) == (10, 12)
    assert run_import(YEARS, path, actor=None).unchanged == 2


def test_an_auto_keyed_model_gets_its_new_ids_in_the_change_log(tmp_path, cast):
    header = ["统一社会信用代码", "企业名称", "所在区域", "成立日期", "注册资本（万元）"]
    rows = [[make_uscc(1), "甲公司", "玄武区", "2020年5月1日", 500], [make_uscc(2), "乙公司", "3201", 43952.0, None]]
    result = run_import(ENTERPRISES, make_workbook(tmp_path / "e.xlsx", [header, *rows]), actor=cast.city_officer)
    assert result.created == 2
    first = Enterprise.objects.get(uscc=make_uscc(1))
    assert (first.region_id, first.registered_on, first.registered_capital, first.tags) == (
        "320102000000", date(2020, 5, 1), Decimal("500.00"), [])
    assert Enterprise.objects.get(uscc=make_uscc(2)).registered_on == date(2020, 5, 1)
    logged = {c.object_id: c.after for c in changes(Enterprise)}
    assert logged[str(first.pk)]["name"] == "甲公司" and logged[str(first.pk)]["id"] == first.pk


def test_rows_are_written_by_one_bulk_upsert_not_row_by_row(tmp_path, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run_import(RegionImportSchema, workbook(tmp_path, townships(300)), actor=None)
    upserts = [q["sql"] for q in queries.captured_queries if "ON CONFLICT" in q["sql"]]
    region_inserts = [q for q in upserts if "regions_region" in q]
    assert len(region_inserts) == 1
    if connection.vendor == "postgresql":
        assert "SELECT" in region_inserts[0] and any("CREATE TEMPORARY TABLE" in q["sql"] for q in queries.captured_queries)
    assert len(queries.captured_queries) < 30
