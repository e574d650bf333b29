"""The bulk import path at scale: streamed reading, chunked parsing and writing, the change log, the size cap.

The pipeline reads, parses and writes in chunks (CHUNK_ROWS rows parsed together, PLAN_ROWS rows classified per
read of the stored rows, SQLite statements of many rows); these tests shrink the chunks so that a few dozen rows
cross every boundary, and check that nothing about the outcome depends on where a chunk ends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kechuang.audit import changelog
from kechuang.audit.changelog import (
    log_bulk_changes,
    log_bulk_creates,
    snapshot_encoder,
    snapshot_sql,
    snapshot_values,
)
from kechuang.audit.models import ObjectChange
from kechuang.core.imports import pipeline
from kechuang.core.imports.pipeline import run_import
from kechuang.core.imports.reader import open_sheet, read_sheet
from kechuang.core.imports.region_schema import RegionImportSchema
from kechuang.core.imports.safety import (
    MB,
    ImportRejected,
    UnsafeWorkbook,
    check_workbook,
    default_limits,
    import_max_bytes,
)
from kechuang.core.imports.template import INSTRUCTIONS_SHEET, template_workbook
from kechuang.core.imports.views import UploadForm
from kechuang.core.models import ImportBatch
from kechuang.core.testing.personas import STREET_A
from kechuang.core.tests import fixtures_xlsx as fx
from kechuang.core.tests.fixtures_xlsx import make_workbook
from kechuang.enterprises.imports import SCHEMAS
from kechuang.enterprises.models import Enterprise, EnterpriseYear
from kechuang.enterprises.testing import make_enterprise
from kechuang.regions.choices import RegionKind
from kechuang.regions.models import Region

pytestmark = pytest.mark.django_db

ANNUAL = SCHEMAS["annual"]
HEADERS = [c.header for c in ANNUAL.columns]
REPO = Path(__file__).resolve().parents[3]


def figures(n: int) -> list[object]:
    """21 valid figures (parts within wholes, net assets = assets − liabilities), varied by `n`."""
    return [100 + n, 20, 15, 3000.5 + n, 2900, 3100, 2000, 180.25, 170, 10, 2500, 2500 + n, 1000, 1500 + n,
            300, 120, 0, 1, 3, 2, 0]


@pytest.fixture
def firms(cast) -> list[Enterprise]:
    return [make_enterprise(f"企业{n}", STREET_A, n) for n in range(1, 9)]


def annual_rows(firms: list[Enterprise], years: range) -> list[list[object]]:
    return [[firm.uscc, year, *figures(i)] for year in years for i, firm in enumerate(firms)]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a few rows, so that a short file crosses every chunk boundary."""
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 7)
    monkeypatch.setattr(pipeline, "PLAN_ROWS", 5)
    monkeypatch.setattr(pipeline, "WRITE_ROWS", 10)  # PostgreSQL, first import: batches written while parsing
    # SQLite: 4 annual rows (26 values) or 8 change-log rows (12 values) per statement
    monkeypatch.setattr(changelog, "SQLITE_MAX_PARAMS", 26 * 4)


def annual_changes() -> list[ObjectChange]:
    return list(ObjectChange.objects.filter(content_type__model="enterpriseyear").order_by("id"))


# --- chunks ---------------------------------------------------------------------------------------------------


def test_an_error_in_the_last_row_of_a_later_chunk_writes_nothing(tmp_path, firms, small_chunks):
    rows = annual_rows(firms, range(2020, 2025))  # 40 rows: 6 parse chunks
    rows[-1][2] = 12.5  # 职工总数 of the last row
    result = run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
    assert [(e.row, e.column) for e in result.errors] == [(41, "职工总数")]
    assert result.rows == 40 and not result.committed
    assert not EnterpriseYear.objects.exists() and not annual_changes() and not ImportBatch.objects.exists()
    assert len(result.sheet.rows) == 40 and result.sheet.rows[-1][2] == 12.5  # read again for the report


def test_errors_in_several_chunks_are_reported_in_row_order(tmp_path, firms, small_chunks):
    rows = annual_rows(firms, range(2020, 2025))
    rows[30][1] = "二〇二四"   # row 32: 年度
    rows[3][4] = 999          # row 5: 研发人员数 > 职工总数
    rows[10] = list(rows[2])  # row 12 repeats row 4
    result = run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
    # (a repeated key is reported on the key's column the file names: 年度, as the natural key is enterprise + year)
    assert [(e.row, e.column) for e in result.errors] == [(5, "研发人员数"), (12, "年度"), (32, "年度")]
    assert "与第 4 行重复" in result.errors[1].message
    assert result.error_count == 3 and not EnterpriseYear.objects.exists()


def test_each_created_row_gets_one_change_with_its_own_key(tmp_path, firms, small_chunks):
    rows = annual_rows(firms, range(2020, 2025))
    rows.insert(17, [None] * len(HEADERS))  # a blank row inside a chunk is skipped
    result = run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
    assert (result.created, result.updated, result.unchanged, result.rows) == (40, 0, 0, 40)
    stored = {row.pk: row for row in EnterpriseYear.objects.all()}
    logged = annual_changes()
    assert len(logged) == 40 and {c.action for c in logged} == {"create"}
    assert sorted(int(c.object_id) for c in logged) == sorted(stored)
    for change in logged:
        row = stored[int(change.object_id)]
        assert change.after == snapshot_values(EnterpriseYear, {f.attname: getattr(row, f.attname)
                                                                for f in EnterpriseYear._meta.concrete_fields})
        assert change.after["id"] == row.pk and change.before is None
    order = [(stored[int(c.object_id)].year, stored[int(c.object_id)].enterprise_id) for c in logged]
    file_order = [(year, firm.pk) for year in range(2020, 2025) for firm in firms]
    assert sorted(order) == sorted(file_order)
    if connection.vendor == "sqlite":  # there the change log follows the file: year by year, enterprise by enterprise
        assert order == file_order


def test_a_reimport_across_chunks_changes_nothing_then_logs_exactly_the_changed_rows(tmp_path, firms,
                                                                                      small_chunks):
    rows = annual_rows(firms, range(2020, 2025))
    path = make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows])
    run_import(ANNUAL, path, actor=None)
    stamps = dict(EnterpriseYear.objects.values_list("pk", "last_updated"))
    logged = len(annual_changes())
    again = run_import(ANNUAL, path, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 40)
    assert len(annual_changes()) == logged
    assert dict(EnterpriseYear.objects.values_list("pk", "last_updated")) == stamps

    for index in (3, 17, 38):  # three rows in three different chunks
        rows[index][3] = 7  # 科技人员数
    rows.append([firms[0].uscc, 2025, *figures(0)])
    result = run_import(ANNUAL, make_workbook(tmp_path / "b.xlsx", [HEADERS, *rows]), actor=None)
    assert (result.created, result.updated, result.unchanged) == (1, 3, 37)
    new = annual_changes()[logged:]
    assert [c.action for c in new] == ["create", "update", "update", "update"]
    changed = EnterpriseYear.objects.filter(tech_staff=7)
    assert sorted(int(c.object_id) for c in new[1:]) == sorted(changed.values_list("pk", flat=True))
    assert all((c.before["tech_staff"], c.after["tech_staff"]) == (20, 7) for c in new[1:])
    assert all(set(c.changed_fields) == {"tech_staff"} for c in new[1:])
    assert new[0].after["year"] == 2025 and int(new[0].object_id) == EnterpriseYear.objects.get(year=2025).pk


def test_a_dry_run_across_chunks_counts_without_writing(tmp_path, firms, small_chunks):
    rows = annual_rows(firms, range(2020, 2024))
    run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows[:10]]), actor=None)
    rows[2][3] = 7
    result = run_import(ANNUAL, make_workbook(tmp_path / "b.xlsx", [HEADERS, *rows]), actor=None, dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.committed) == (22, 1, 9, False)
    assert EnterpriseYear.objects.count() == 10


def test_rows_and_their_change_log_are_written_in_batches(tmp_path, firms, small_chunks):
    """SQLite: many rows per INSERT statement. PostgreSQL: COPY (not captured as statements); both log each row."""
    rows = annual_rows(firms, range(2020, 2022))  # 16 rows
    if connection.vendor != "sqlite":
        assert run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None).created == 16
        assert len(annual_changes()) == 16
        for row in rows[:10]:
            row[3] = 7
        assert run_import(ANNUAL, make_workbook(tmp_path / "b.xlsx", [HEADERS, *rows]), actor=None).updated == 10
        assert len(annual_changes()) == 26
        return

    def statements(queries, start):
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(start)]

    with CaptureQueriesContext(connection) as queries:
        assert run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None).created == 16
    upserts = [sql.count("), (") + 1 for sql in statements(queries, 'INSERT INTO "enterprises_enterpriseyear"')]
    assert upserts == [4, 4, 4, 4]  # the data: 4 rows per statement
    (log,) = statements(queries, 'INSERT INTO "audit_objectchange"')  # new rows: logged by the database, at once
    assert "SELECT" in log and len(annual_changes()) == 16

    for row in rows[:10]:
        row[3] = 7
    with CaptureQueriesContext(connection) as queries:
        assert run_import(ANNUAL, make_workbook(tmp_path / "b.xlsx", [HEADERS, *rows]), actor=None).updated == 10
    logs = statements(queries, 'INSERT INTO "audit_objectchange"')
    assert len(logs) == 2 and logs[0].count("), (") == 7  # updates: 8 change-log rows (12 values) per statement
    assert len(annual_changes()) == 26


def test_the_database_builds_the_snapshots_python_would(cast):
    from kechuang.enterprises.models import Qualification, QualificationKind
    from kechuang.enterprises.services import ensure_builtin_kinds

    ensure_builtin_kinds(actor=None)
    firm = make_enterprise("甲", STREET_A, 1)
    QualificationKind.objects.filter(code="tsme").update(is_active=False, validity_years=None)
    hnte, tsme = QualificationKind.objects.get(code="hnte"), QualificationKind.objects.get(code="tsme")
    Qualification.objects.create(enterprise=firm, kind=hnte, number='GR"2024\\1', granted_on=date(2024, 12, 1),
                                 valid_from=date(2024, 12, 1), valid_to=None, batch="第一批")
    Qualification.objects.create(enterprise=firm, kind=tsme, granted_on=date(2023, 1, 2), valid_from=date(2023, 1, 2),
                                 valid_to=date(2025, 12, 31))
    before = ObjectChange.objects.count()
    for model in (Qualification, QualificationKind):
        assert log_bulk_creates(model, "1 = 1", []) == model.objects.count()
    logged = {(c.content_type.model, c.object_id): c for c in ObjectChange.objects.order_by("id")[before:]}
    expected = {(m._meta.model_name, str(o.pk)): snapshot_values(m, {f.attname: getattr(o, f.attname)
                                                                      for f in m._meta.concrete_fields})
                for m in (Qualification, QualificationKind) for o in m.objects.all()}
    assert {key: change.after for key, change in logged.items()} == expected
    assert {c.action for c in logged.values()} == {"create"} and all(c.before is None for c in logged.values())
    assert any(c.after.get("is_active") is False and c.after["validity_years"] is None for c in logged.values())
    first = logged[("qualification", str(Qualification.objects.get(kind=hnte).pk))]
    assert first.after["number"] == 'GR"2024\\1' and first.after["granted_on"] == "2024-12-01"


def test_the_database_does_not_build_snapshots_it_cannot_render_exactly(db):
    from kechuang.core.models import ImportBatch as Batch  # a datetime column

    before = ObjectChange.objects.count()
    assert snapshot_sql(Enterprise, connection) is None  # personal data to mask
    assert snapshot_sql(Batch, connection) is None
    assert log_bulk_creates(Enterprise, "1 = 1", []) is None and ObjectChange.objects.count() == before
    assert snapshot_sql(EnterpriseYear, connection) is not None


def test_a_dangling_foreign_key_refuses_the_whole_import(tmp_path, firms, small_chunks):
    fake = {firm.uscc: 900_000 + n for n, firm in enumerate(firms)}

    def to_db(values, lookups):  # a schema that does not check its enterprise exists (the database does)
        record = ANNUAL.to_db(values, lookups)
        return {**record, "enterprise_id": fake[values["uscc"]]} if values["year"] == 2024 else record

    rows = annual_rows(firms, range(2023, 2025))
    with pytest.raises(ImportRejected, match="约束冲突"):
        run_import(replace(ANNUAL, to_db=to_db), make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
    assert not EnterpriseYear.objects.exists() and not annual_changes() and not ImportBatch.objects.exists()


def test_a_lookup_that_fails_while_parsing_fails_the_import(tmp_path, firms, small_chunks):
    def to_db(values, lookups):
        lookups.get("broken", lambda: 1 / 0)
        return ANNUAL.to_db(values, lookups)

    rows = annual_rows(firms, range(2020, 2023))
    with pytest.raises(ZeroDivisionError):
        run_import(replace(ANNUAL, to_db=to_db), make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
    assert not EnterpriseYear.objects.exists() and not ImportBatch.objects.exists()


def test_a_first_postgresql_import_is_written_while_the_file_is_parsed(tmp_path, firms, small_chunks, monkeypatch):
    """The parsing runs on a thread of its own; the lookups it needs are read on the import's own connection.

    On SQLite (one writer, two cores) parsing first and writing after is faster: everything stays on this thread.
    """
    import threading

    threads = set()
    parse = pipeline._ChunkParser.parse

    def watched(self, chunk):
        threads.add(threading.current_thread().name)
        return parse(self, chunk)

    monkeypatch.setattr(pipeline._ChunkParser, "parse", watched)
    rows = annual_rows(firms, range(2020, 2025))
    if connection.vendor != "postgresql":
        assert run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None).created == 40
        assert threads <= {threading.current_thread().name} and len(annual_changes()) == 40
        return
    with CaptureQueriesContext(connection) as queries:
        assert run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None).created == 40
    assert threads == {"kechuang-import-parse"}
    batches = [q["sql"] for q in queries.captured_queries if "pg_get_serial_sequence" in q["sql"]]
    assert len(batches) == 3  # 40 rows in batches of 14, 14 and 12, each copied straight into the table
    assert not any("CREATE TEMPORARY TABLE" in q["sql"] for q in queries.captured_queries)
    assert len(annual_changes()) == 40
    # Into a table that has rows already: the rows are classified first, then written (one thread).
    threads.clear()
    rows.append([firms[0].uscc, 2025, *figures(0)])
    assert run_import(ANNUAL, make_workbook(tmp_path / "b.xlsx", [HEADERS, *rows]), actor=None).created == 1
    assert threads == {threading.current_thread().name}


def test_a_key_stored_meanwhile_refuses_a_first_postgresql_import(tmp_path, firms, small_chunks, monkeypatch):
    """New rows go straight into the table: a key someone stored after the table was found empty fails the
    COPY on the unique constraint, and the import is refused whole. (SQLite holds the write lock from BEGIN
    IMMEDIATE, so nobody can store a key meanwhile: a key stored before is classified as existing.)"""
    if connection.vendor != "postgresql":
        EnterpriseYear.objects.create(enterprise=firms[3], year=2021)  # row 13 of the file, stored before
        rows = annual_rows(firms, range(2020, 2023))
        result = run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
        assert (result.created, result.updated + result.unchanged) == (len(rows) - 1, 1)
        assert EnterpriseYear.objects.count() == len(rows)
        return
    write = pipeline._BatchWriter.write

    def interloper(self, batch):
        if not EnterpriseYear.objects.exists():
            EnterpriseYear.objects.create(enterprise=firms[3], year=2021)  # row 13 of the file
        return write(self, batch)

    monkeypatch.setattr(pipeline._BatchWriter, "write", interloper)
    rows = annual_rows(firms, range(2020, 2023))
    with pytest.raises(ImportRejected, match="约束冲突"):
        run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
    assert not EnterpriseYear.objects.exists() and not annual_changes() and not ImportBatch.objects.exists()


# --- the streamed sheet ---------------------------------------------------------------------------------------


def test_the_streamed_rows_are_the_rows_read_whole_even_when_the_sheet_starts_further_in(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["E5"], sheet["D6"] = "x", 1.5, "y", 7
    path = tmp_path / "offset.xlsx"
    book.save(path)
    gate = check_workbook(path)
    whole = read_sheet(path, gate)
    stream = open_sheet(path, gate)
    assert stream.header == whole.header == ["", "", "", "", ""]
    streamed = list(stream.rows)
    assert streamed == list(enumerate(whole.rows, start=2))
    assert streamed[1] == (3, ["", "", "x", 1.5, ""]) and streamed[4] == (6, ["", "", "", 7.0, ""])


def test_a_region_file_whose_columns_start_at_b_is_read_by_its_headers(tmp_path, db):
    header = [None, "区划代码", "名称", "层级", "上级代码"]
    rows = [[None, "320000000000", "江苏省", "省级", None], [None, "320100000000", "南京市", "区级", "32"]]
    result = run_import(RegionImportSchema, make_workbook(tmp_path / "r.xlsx", [header, *rows]), actor=None)
    assert [(e.row, e.column) for e in result.errors] == [(3, "层级")]
    rows[1][3] = "地级"
    assert run_import(RegionImportSchema, make_workbook(tmp_path / "s.xlsx", [header, *rows]), actor=None).created == 2


# --- change-log snapshots -----------------------------------------------------------------------------------


def test_bulk_snapshot_texts_are_the_snapshots_of_the_rows():
    encoder = snapshot_encoder(EnterpriseYear)
    base = {f.attname: 0 for f in EnterpriseYear._meta.concrete_fields}
    rows = [
        {**base, "sales_revenue": Decimal("12.30"), "profit": Decimal("-0.05"), "source": "import"},
        {**base, "sales_revenue": None, "profit": Decimal("1E+2"), "source": 'a "quoted" \\ 中文\n'},
        {**base, "sales_revenue": Decimal("7"), "profit": None, "source": "", "employees": True},
        {**base, "sales_revenue": 1.5, "profit": date(2024, 3, 1), "source": "x", "year": None},
    ]
    texts = list(encoder.json_many(rows))
    assert texts == [encoder.json(row) for row in rows]
    assert [json.loads(text) for text in texts] == [snapshot_values(EnterpriseYear, row) for row in rows]
    assert json.loads(texts[0])["sales_revenue"] == "12.30" and json.loads(texts[1])["sales_revenue"] is None
    with_ids = list(encoder.json_many([{k: v for k, v in row.items() if k != "id"} for row in rows], id=[5, 6, 7, 8]))
    assert [json.loads(t)["id"] for t in with_ids] == [5, 6, 7, 8]
    assert [json.loads(t) for t in with_ids] == [snapshot_values(EnterpriseYear, {**row, "id": n})
                                                 for row, n in zip(rows, [5, 6, 7, 8], strict=True)]


def test_bulk_snapshots_mask_personal_data_and_keep_enum_values():
    enterprise = {f.attname: None for f in Enterprise._meta.concrete_fields}
    enterprise.update(id=1, uscc="91320102MA1X2Y3Z4K", name="甲", contact_name="张三", contact_phone="13800001234",
                      tags=["a", Decimal("1.5")])
    (text,) = snapshot_encoder(Enterprise).json_many([enterprise])
    assert json.loads(text) == snapshot_values(Enterprise, enterprise)
    assert "13800001234" not in text and "张三" not in text
    region = {f.attname: "x" for f in Region._meta.concrete_fields}
    rows = [{**region, "kind": RegionKind.ADMINISTRATIVE}, {**region, "kind": None}]
    assert list(snapshot_encoder(Region).json_many(rows)) == [snapshot_encoder(Region).json(r) for r in rows]


def test_the_change_log_takes_snapshots_or_their_json_text(db):
    snapshot = {"id": 3, "name": "甲", "amount": "1.50"}
    written = log_bulk_changes(Region, [("create", 3, None, snapshot), ("update", 3, json.dumps(snapshot),
                                                                          json.dumps({**snapshot, "name": "乙"}))])
    assert written == 2
    create, update = ObjectChange.objects.filter(content_type__model="region").order_by("id")
    assert create.after == snapshot and update.before == snapshot and update.after["name"] == "乙"


# --- the size cap -----------------------------------------------------------------------------------------------


def test_the_import_size_cap_is_the_setting(tmp_path, settings):
    assert import_max_bytes() == 50 * MB == default_limits().max_bytes  # the default
    rows = "".join(f'<row r="{row}">' + "".join(f'<c r="{col}{row}" t="inlineStr"><is><t>{text}</t></is></c>'
                                                for col, text in zip("ABC", values, strict=True)) + "</row>"
                   for row, values in ((1, ("区划代码", "名称", "层级")), (2, ("32", "江苏省", "省级"))))
    path = fx.raw_xlsx(tmp_path / "r.xlsx", sheet=fx.sheet_xml(rows),
                       extra_parts={"xl/media/image1.bin": os.urandom(MB)})  # incompressible: > 1 MB on disk
    settings.KECHUANG_IMPORT_MAX_MB = 1
    assert default_limits().max_bytes == MB
    assert default_limits().max_total_uncompressed == 200 * MB  # the decompression limits do not move with it
    with pytest.raises(UnsafeWorkbook, match="不能超过 1 MB"):
        run_import(RegionImportSchema, path, actor=None)
    settings.KECHUANG_IMPORT_MAX_MB = 2
    assert run_import(RegionImportSchema, path, actor=None).created == 1


def test_the_upload_form_and_the_template_quote_the_setting(settings):
    settings.KECHUANG_IMPORT_MAX_MB = 1
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * MB)
    form = UploadForm(data={}, files={"file": big})
    assert not form.is_valid() and "文件超过 1 MB" in form.errors["file"][0]
    settings.KECHUANG_IMPORT_MAX_MB = 3
    assert UploadForm(data={}, files={"file": big}).is_valid()
    book = openpyxl.load_workbook(__import__("io").BytesIO(template_workbook(RegionImportSchema)))
    notes = "\n".join(str(c.value) for row in book[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "不超过 3 MB" in notes


@pytest.mark.parametrize("value, ok", [("64", True), ("0", False), ("ten", False), ("-5", False)])
def test_the_size_cap_variable_must_be_a_positive_number_of_megabytes(value, ok):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["KECHUANG_IMPORT_MAX_MB"] = value
    script = "from django.conf import settings; print(settings.KECHUANG_IMPORT_MAX_MB)"
    result = subprocess.run([sys.executable, "-m", "kechuang", "shell", "-v", "0", "-c", script], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    if ok:
        assert result.returncode == 0 and result.stdout.strip() == value, result.stderr
    else:
        assert result.returncode != 0 and "KECHUANG_IMPORT_MAX_MB" in result.stderr


# --- fast paths that must change nothing -------------------------------------------------------------------------


def test_the_annual_screen_finds_exactly_the_rows_with_problems():
    """`annual_suspects` (a column at a time) and `annual_problems` (a row at a time) agree on random figures,
    blanks and edge cases included; a column the file lacks counts as blank."""
    import random

    from kechuang.enterprises.annual import annual_problems, annual_suspects
    from kechuang.enterprises.imports import ANNUAL_FIGURES

    rng = random.Random(5)
    keys = [key for key, _header, _parser in ANNUAL_FIGURES]
    for _ in range(50):
        rows = []
        for _ in range(rng.randint(0, 60)):
            values = {}
            for key in keys:
                if rng.random() < 0.1:
                    values[key] = None
                elif key in ("employees", "tech_staff", "rd_staff", "ip_class1", "ip_class2", "results_converted",
                             "standards_led"):
                    values[key] = rng.randint(0, 30)
                else:
                    values[key] = Decimal(rng.randint(-300, 3000)) / 100
            if rng.random() < 0.5 and values["total_assets"] is not None and values["liabilities"] is not None:
                values["net_assets"] = values["total_assets"] - values["liabilities"] + rng.choice(
                    [Decimal("0"), Decimal("1.00"), Decimal("-1.00"), Decimal("1.01"), Decimal("-1.01")])
            rows.append(values)
        present = [key for key in keys if rng.random() < 0.95]
        columns = {key: [row[key] for row in rows] for key in present}
        with_problems = {i for i, row in enumerate(rows) if annual_problems({k: row[k] for k in present})}
        assert set(annual_suspects(columns)) == with_problems


def test_the_annual_records_are_the_same_built_either_way(firms):
    from kechuang.core.imports.schema import Lookups

    values = {c.key: None for c in ANNUAL.columns} | {"uscc": firms[0].uscc, "year": 2024, "profit": Decimal("-1.50")}
    whole = ANNUAL.to_db(values, Lookups())
    del values["standards_led"]  # not every column: the general path
    partial = ANNUAL.to_db(values, Lookups())
    assert whole == partial and set(whole) == {f.attname for f in EnterpriseYear._meta.concrete_fields} - {
        "id", "created", "last_updated"}
    assert whole["enterprise_id"] == firms[0].pk and whole["source"] == "import"


def test_the_database_writes_the_snapshot_text_json_object_would(firms):
    """SQLite: the one-printf snapshot of a row is byte for byte its json_object snapshot (rows with NULLs, with
    negative and whole amounts, fall back to json_object itself), and both are the snapshot Python takes."""
    rows = [{"employees": 10, "tech_staff": 3, "sales_revenue": Decimal("218.96"), "profit": Decimal("-0.50")},
            {"employees": None, "net_assets": Decimal("100")},
            {n: Decimal("12.30") for n in ("sales_revenue", "main_revenue", "total_income", "hightech_income",
                                           "rd_expense", "rd_expense_domestic", "rd_expense_commissioned",
                                           "total_cost", "total_assets", "liabilities", "net_assets", "profit",
                                           "tax_paid", "exports")}
            | {n: 7 for n in ("employees", "tech_staff", "rd_staff", "ip_class1", "ip_class2", "results_converted",
                              "standards_led")} | {"source": 'a"b\\c 导入'}]
    for year, values in enumerate(rows, start=2020):
        EnterpriseYear.objects.create(enterprise=firms[0], year=year, **values)
    if connection.vendor == "sqlite":
        snapshot = snapshot_sql(EnterpriseYear, connection)
        built = snapshot[snapshot.index("ELSE ") + 5:snapshot.rindex(" END")]  # the json_object form
        assert snapshot.startswith("CASE WHEN") and built.startswith("json_object(")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {snapshot}, {built}, {snapshot.split(' THEN ')[0].removeprefix('CASE WHEN ')} "  # noqa: S608
                           f"FROM enterprises_enterpriseyear ORDER BY id", [])  # [] : "%%" becomes "%"
            texts = cursor.fetchall()
        assert [fast for fast, _, _ in texts] == [slow for _, slow, _ in texts]
        assert [bool(printf) for _, _, printf in texts] == [False, False, True]  # which rows took the printf
    before = ObjectChange.objects.count()
    assert log_bulk_creates(EnterpriseYear, "1 = 1", []) == 3
    logged = [c.after for c in ObjectChange.objects.order_by("id")[before:]]
    assert logged == [snapshot_values(EnterpriseYear, {f.attname: getattr(o, f.attname)
                                                       for f in EnterpriseYear._meta.concrete_fields})
                      for o in EnterpriseYear.objects.order_by("id")]


def test_a_bulk_insert_refused_by_sqlite_raises_django_errors(firms):
    from django.db import IntegrityError, transaction

    if connection.vendor != "sqlite":
        return
    EnterpriseYear.objects.create(enterprise=firms[0], year=2020)
    rows = [(firms[0].pk, 2021, "import"), (firms[0].pk, 2020, "import")]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        changelog.sqlite_insert_many(cursor, 'INSERT INTO "enterprises_enterpriseyear" (enterprise_id, year, source) '
                                             "VALUES", 3, rows)
    assert EnterpriseYear.objects.count() == 1


def test_the_garbage_collector_is_paused_only_while_an_import_runs(tmp_path, firms, monkeypatch):
    import gc

    seen = []
    parse = pipeline._ChunkParser.parse
    monkeypatch.setattr(pipeline._ChunkParser, "parse", lambda self, chunk: seen.append(gc.isenabled())
                        or parse(self, chunk))
    rows = annual_rows(firms, range(2020, 2022))
    assert gc.isenabled()
    assert run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None).created == 16
    assert seen and not any(seen) and gc.isenabled()
    with pytest.raises(ImportRejected):
        run_import(ANNUAL, make_workbook(tmp_path / "b.xlsx", [["?"], ["x"]]), actor=None)
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that turned it off keeps it off
        run_import(ANNUAL, make_workbook(tmp_path / "a.xlsx", [HEADERS, *rows]), actor=None)
        assert not gc.isenabled()
    finally:
        gc.enable()
