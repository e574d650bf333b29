"""三权分立: only the audit administrator reads the audit trail; others get 403 (SECURITY.md C7, D7)."""

import io

import openpyxl
import pytest

from kechuang.audit.models import DomainEvent


@pytest.mark.parametrize("persona, status", [
    ("audit_admin", 200), ("system_admin", 403), ("security_admin", 403), ("city_officer", 403),
    ("leader", 403), ("district_a_officer", 403),
])
def test_only_the_audit_admin_opens_the_change_log(client_as, persona, status):
    assert client_as(persona).get("/audit/changes/").status_code == status
    assert client_as(persona).get("/audit/events/").status_code == status


def test_the_audit_admin_filters_by_actor_and_type(client_as, cast):
    client_as("system_admin").post("/regions/320102002000/edit/", {
        "code": "320102002000", "name": "梅园新村", "level": "township", "kind": "administrative",
        "parent": "320102000000"})
    response = client_as("audit_admin").get("/audit/changes/", {"actor": "system_admin", "action": "update"})
    rows = list(response.context["filter"].qs)
    assert [(r.object_id, r.action) for r in rows] == [("320102002000", "update")]


def test_exporting_the_audit_log_is_itself_audited(client_as, cast):
    response = client_as("audit_admin").get("/audit/changes/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    event = DomainEvent.objects.get(event_type="export", actor_username="audit_admin")
    assert event.data["rows"] == len(rows) > 0
