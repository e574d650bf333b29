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
