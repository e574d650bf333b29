"""The API (django-ninja): hashed tokens, the same restrict() as the pages, Chinese errors, offline docs."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kechuang.accounts.models import ApiToken, hash_token
from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.testing.personas import STREET_A, STREET_B
from kechuang.regions.models import Region


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def token_of(cast):
    def issue(persona, **kwargs):
        return ApiToken.issue(cast.users[persona], "测试", **kwargs)[1]

    return issue


def test_tokens_are_stored_only_as_hashes(cast, token_of):
    raw = token_of("district_a_officer")
    stored = ApiToken.objects.get()
    assert stored.key_hash == hash_token(raw) and raw not in (stored.key_hash, stored.key_prefix)


def test_a_token_lists_only_its_users_subtree(cast, token_of):
    response = Client().get("/api/regions/", **bearer(token_of("district_a_officer")))
    assert response.status_code == 200
    codes = {item["code"] for item in response.json()["items"]}
    assert codes == {"320102000000", STREET_A}


def test_the_api_filters_like_the_list_page(cast, token_of):
    response = Client().get("/api/regions/", {"level": "township"}, **bearer(token_of("city_officer")))
    assert {i["code"] for i in response.json()["items"]} == {STREET_A, STREET_B}


def test_an_out_of_scope_object_is_404(cast, token_of):
    raw = token_of("district_a_officer")
    assert Client().get(f"/api/regions/{STREET_A}", **bearer(raw)).status_code == 200
    response = Client().get(f"/api/regions/{STREET_B}", **bearer(raw))
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.json()["detail"]


def test_a_role_without_the_right_is_403(cast, token_of):
    response = Client().get("/api/users/", **bearer(token_of("city_officer")))
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic abc", "Bearer kc_" + "x" * 500])
def test_a_malformed_or_unknown_token_is_401_and_audited(cast, header):
    response = Client().get("/api/regions/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "未认证" in response.json()["detail"]


def test_a_failed_token_is_audited(cast):
    Client().get("/api/regions/", **bearer("kc_forged"))
    assert DomainEvent.objects.filter(event_type="api.auth_failed", result="failure").count() == 1


def test_an_expired_or_revoked_token_is_refused(cast, token_of):
    expired = token_of("city_officer", expires=timezone.now() - timedelta(minutes=1))
    assert Client().get("/api/regions/", **bearer(expired)).status_code == 401
    raw = token_of("city_officer")
    ApiToken.objects.filter(key_hash=hash_token(raw)).update(is_active=False)
    assert Client().get("/api/regions/", **bearer(raw)).status_code == 401


def test_the_x_api_key_header_works_too(cast, token_of):
    assert Client().get("/api/me/", HTTP_X_API_KEY=token_of("leader")).json()["assignments"][0]["role"] == "leader"


def test_writes_through_the_api_are_scoped_validated_and_change_logged(cast, token_of):
    raw = token_of("system_admin")
    payload = {"code": "320102003000", "name": "新街口街道", "level": "township", "parent": "320102000000"}
    response = Client().post("/api/regions/", payload, content_type="application/json", **bearer(raw))
    assert response.status_code == 201, response.content
    change = ObjectChange.objects.get(object_id="320102003000", action="create")
    assert change.actor_username == "system_admin" and change.channel == "api"

    bad = Client().post("/api/regions/", {**payload, "code": "12x"}, content_type="application/json",
                        **bearer(raw))
    assert bad.status_code == 422
    assert "区划代码应为 12 位数字" in bad.json()["detail"]

    patched = Client().patch("/api/regions/320102003000", {"short_name": "新街口"},
                             content_type="application/json", **bearer(raw))
    assert patched.status_code == 200
    assert Region.objects.get(code="320102003000").short_name == "新街口"
    assert ObjectChange.objects.filter(object_id="320102003000", action="update").count() == 1


def test_a_reader_cannot_write_through_the_api(cast, token_of):
    response = Client().patch(f"/api/regions/{STREET_A}", {"name": "x"}, content_type="application/json",
                              **bearer(token_of("district_a_officer")))
    assert response.status_code == 403
    assert Region.objects.get(code=STREET_A).name == "梅园新村街道"


def test_the_session_api_needs_csrf_for_writes(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.system_admin)
    assert client.get("/api/regions/").status_code == 200
    response = client.post("/api/regions/", {"code": "320102003000", "name": "x", "level": "township"},
                           content_type="application/json")
    assert response.status_code in (401, 403)
    assert not Region.objects.filter(code="320102003000").exists()


def test_health_reports_database_and_migrations(db):
    body = Client().get("/api/health").json()
    assert body["status"] == "ok" and body["database"] and body["migrations"]


def test_health_is_503_when_the_database_fails(db, monkeypatch):
    from kechuang import api

    def broken():
        raise RuntimeError("database down")

    monkeypatch.setattr(api, "_migrations_applied", broken)
    response = Client().get("/api/health")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_the_openapi_docs_are_served_offline(cast, client_as):
    client = client_as("city_officer")
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.content.decode() and "jsdelivr" not in docs.content.decode()
    schema = client.get("/api/openapi.json").json()
    assert "/api/regions/" in schema["paths"] and "/api/health" in schema["paths"]
