"""The batch-screening pages: start a run in scope, browse its categories, export it; officers only."""

from datetime import date

import pytest
from openpyxl import load_workbook

from kechuang.audit.models import DomainEvent
from kechuang.core.testing.personas import DISTRICT_B, STREET_A
from kechuang.eligibility.models import ScreeningRun
from kechuang.eligibility.tests.test_screening import enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(cast):
    return [enterprise("甲候选", 1), enterprise("乙超编", 2, employees=501, tech_staff=84)]


def start(client, region=STREET_A[:9], programme="tech_sme"):
    return client.post("/eligibility/screening/", {"programme": programme, "year": 2024, "region": region,
                                                   "as_of": date(2025, 6, 1).isoformat()})


def test_an_officer_screens_the_scope_and_sees_the_ranked_categories(firms, client_as):
    client = client_as("district_a_officer")
    response = start(client)
    run = ScreeningRun.objects.get()
    assert response.status_code == 302 and response.url == f"/eligibility/screening/{run.pk}/"
    page = client.get(response.url).content.decode()
    assert "甲候选" in page and "乙超编" not in page  # the default tab is 可申报
    reserve = client.get(response.url, {"category": "reserve"}).content.decode()
    assert "乙超编" in reserve and "职工总数超出上限 1 人" in reserve
    assert DomainEvent.objects.filter(event_type="screening").count() == 1


def test_the_run_exports_to_xlsx_and_the_export_is_audited(firms, client_as, tmp_path):
    client = client_as("district_a_officer")
    start(client)
    run = ScreeningRun.objects.get()
    response = client.get(f"/eligibility/screening/{run.pk}/export/")
    assert response.status_code == 200
    path = tmp_path / "run.xlsx"
    path.write_bytes(response.content)
    rows = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    names = {row[3] for row in rows if row and row[3]}
    assert {"甲候选", "乙超编"} <= names
    assert DomainEvent.objects.filter(event_type="export", data__run=run.pk).exists()


def test_a_large_run_exports_in_the_background_for_the_session_that_asked(firms, client_as, settings, tmp_path,
                                                                       monkeypatch):
    """Above the synchronous limit the page offers a background export; the task writes the file, audits the
    export, and only the session that started it can poll it and download the file."""
    from kechuang.eligibility import views

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(views, "SYNC_EXPORT_MAX_ROWS", 1)  # the run below has two entries
    client = client_as("district_a_officer")
    start(client)
    run = ScreeningRun.objects.get()
    url = f"/eligibility/screening/{run.pk}/export/"
    offer = client.get(url)
    assert offer.status_code == 200 and "在后台生成" in offer.content.decode()
    assert not DomainEvent.objects.filter(event_type="export").exists()  # nothing exported by looking

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}  # as in production
    started = client.post(url)
    task_id = next(iter(client.session[views.SESSION_EXPORTS]))
    assert "已排队" in started.content.decode()
    status = f"/eligibility/screening/exports/{task_id}/"
    assert "已排队" in client.get(status).content.decode()
    assert client.get(f"{status}file/").status_code == 404  # nothing to download yet
    run_queued_tasks()
    assert "导出完成：共 2 行" in client.get(status).content.decode()
    download = client.get(f"{status}file/")
    assert download.status_code == 200
    path = tmp_path / "download.xlsx"
    path.write_bytes(b"".join(download.streaming_content))
    names = {row[3] for row in load_workbook(path).active.iter_rows(values_only=True) if row and row[3]}
    assert {"甲候选", "乙超编"} <= names
    event = DomainEvent.objects.get(event_type="export")
    assert event.data["background"] is True and event.data["rows"] == 2 and event.actor.username == "district_a_officer"

    other = client_as("city_officer")  # another session, even one that may view the run
    assert other.get(status).status_code == 403
    assert other.get(f"{status}file/").status_code == 404


def run_queued_tasks():
    """Run every queued task as ``kechuang db_worker`` does (its loop closes the test's connection)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])
    for result in DBTaskResult.objects.ready():
        result.claim("test")
        worker.run_task(result)


def test_old_background_exports_are_swept(settings, tmp_path):
    import os
    import time

    from kechuang.eligibility.tasks import EXPORT_KEEP_SECONDS, _sweep, export_dir, export_path

    settings.VAR_DIR = tmp_path
    old, new = export_path("a" * 32), export_path("b" * 32)
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    stale = time.time() - EXPORT_KEEP_SECONDS - 60
    os.utime(old, (stale, stale))
    _sweep(export_dir())
    assert not old.exists() and new.exists()
    with pytest.raises(ValueError):
        export_path("../x")


def test_a_region_outside_the_scope_is_refused_and_nothing_is_saved(firms, client_as):
    response = start(client_as("district_a_officer"), region=DISTRICT_B[:6])
    assert response.status_code == 422
    assert "只能筛选您管辖范围内的区域" in response.content.decode()
    assert not ScreeningRun.objects.exists()


def test_another_districts_officer_cannot_open_the_run(firms, client_as):
    start(client_as("district_a_officer"))
    run = ScreeningRun.objects.get()
    assert client_as("district_b_officer").get(f"/eligibility/screening/{run.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["enterprise_user", "audit_admin"])
def test_screening_is_for_officers(persona, client_as):
    assert client_as(persona).get("/eligibility/screening/").status_code == 403
