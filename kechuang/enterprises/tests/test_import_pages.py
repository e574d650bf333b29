"""The import pages: template download, upload, per-row errors with a downloadable report, scope re-check."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.audit.models import DomainEvent
from kechuang.core.testing.personas import STREET_A, STREET_B
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.test_imports import ENTERPRISE_HEADERS, enterprise_row, workbook

URL = "/enterprises/import/"


def upload(client, path, **extra):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), **extra}
    return client.post(URL, data)


def test_the_template_has_the_headers_and_an_instructions_sheet(client_as):
    response = client_as("city_officer").get(URL, {"template": "1"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]][:3] == ENTERPRISE_HEADERS[:3]
    assert "填写说明" in book.sheetnames


def test_a_good_file_is_imported_and_audited(client_as, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [enterprise_row(1, "甲科技有限公司")])
    response = upload(client_as("city_officer"), path)
    assert response.status_code == 200
    assert "新增 1 行" in response.content.decode()
    assert Enterprise.objects.get().name == "甲科技有限公司"
    event = DomainEvent.objects.get(event_type="import")
    assert event.actor_username == "city_officer"


def test_errors_are_listed_and_the_report_is_downloadable_only_by_this_session(client_as, tmp_path):
    rows = [enterprise_row(1, "甲科技有限公司"), enterprise_row(2, "")]
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, rows)
    client = client_as("city_officer")
    response = upload(client, path)
    body = response.content.decode()
    assert response.status_code == 400 and "第 3 行 · 企业名称" in body and not Enterprise.objects.exists()
    token = response.context["report"]
    report = client.get(f"/imports/report/{token}/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert sheet.cell(1, len(ENTERPRISE_HEADERS) + 1).value == "错误说明"
    assert client_as("district_a_officer").get(f"/imports/report/{token}/").status_code == 404


def test_a_district_officer_cannot_import_another_districts_enterprise(client_as, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS,
                    [enterprise_row(1, "甲科技有限公司", STREET_A), enterprise_row(2, "乙科技有限公司", STREET_B)])
    response = upload(client_as("district_a_officer"), path)
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Enterprise.objects.exists()
    ok = workbook(tmp_path / "ok.xlsx", ENTERPRISE_HEADERS, [enterprise_row(1, "甲科技有限公司", STREET_A)])
    assert upload(client_as("district_a_officer"), ok).status_code == 200
    assert Enterprise.objects.count() == 1


def test_roles_without_the_import_right_are_refused(client_as):
    assert client_as("leader").get(URL).status_code == 403
    assert client_as("enterprise_user").get(URL).status_code == 403


def test_a_renamed_exe_is_refused_with_a_chinese_message(client_as, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"MZ" + b"\0" * 500)
    response = upload(client_as("city_officer"), path)
    assert response.status_code == 400 and "文件未导入" in response.content.decode()


def test_a_large_file_runs_as_a_task(client_as, tmp_path, monkeypatch, settings):
    from kechuang.core.imports import views

    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.setattr(views, "SYNC_LIMIT_BYTES", 10)  # any file is "large"; tests run tasks immediately
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [enterprise_row(1, "甲科技有限公司")])
    response = upload(client_as("city_officer"), path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "后台导入完成" in body
    assert Enterprise.objects.count() == 1
    uploads = tmp_path / "var" / "uploads"
    assert uploads.is_dir() and not list(uploads.iterdir())  # the stored upload was removed after the import
