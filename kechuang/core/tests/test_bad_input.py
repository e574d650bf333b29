"""Bad input gets the right status and a Chinese message, changes nothing, and is audited."""

import pytest
from django.test import Client

from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.testing.personas import STREET_B
from kechuang.regions.models import Region


@pytest.mark.django_db
def test_a_forged_csrf_post_is_refused_and_audited(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.system_admin)
    response = client.post(f"/regions/{STREET_B}/edit/", {"code": STREET_B, "name": "篡改", "level": "township",
                                                            "kind": "administrative", "parent": "320104000000"})
    assert response.status_code == 403
    assert "请求已失效" in response.content.decode()
    assert Region.objects.get(code=STREET_B).name == "秦虹街道"
    assert DomainEvent.objects.filter(event_type="security.csrf_failure").count() == 1


@pytest.mark.django_db
def test_an_out_of_scope_id_is_404_and_audited(client_as):
    response = client_as("district_a_officer").get(f"/regions/{STREET_B}/")
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()
    event = DomainEvent.objects.get(event_type="access.out_of_scope")
    assert event.data["pk"] == STREET_B and event.actor_username == "district_a_officer"


@pytest.mark.django_db
def test_an_out_of_scope_edit_is_404_and_changes_nothing(client_as):
    before = ObjectChange.objects.count()
    response = client_as("district_a_officer").post(f"/regions/{STREET_B}/edit/", {"name": "x"})
    assert response.status_code in (403, 404)
    assert ObjectChange.objects.count() == before


@pytest.mark.django_db
def test_creating_outside_ones_scope_is_refused_inside_the_transaction(cast):
    """A scoped writer cannot place a record outside its subtree: the re-check rolls the save back."""
    # Region officers hold no write grant on regions; prove the re-check with a temporary grant.
    from kechuang.accounts import roles

    original = roles.GRANTS[roles.Role.REGION_OFFICER]
    roles.GRANTS[roles.Role.REGION_OFFICER] = {**original, "reference": roles.ALL}
    try:
        client = Client()
        client.force_login(cast.district_a_officer)
        before = ObjectChange.objects.count()
        response = client.post("/regions/add/", {"code": "320104099000", "name": "越界街道", "level": "township",
                                                 "kind": "administrative", "parent": "320104000000"})
        assert response.status_code == 200
        assert "不能在您的管辖范围之外" in response.content.decode()
        assert not Region.objects.filter(code="320104099000").exists()
        assert ObjectChange.objects.count() == before
        ok = client.post("/regions/add/", {"code": "320102098000", "name": "辖内新街道", "level": "township",
                                           "kind": "administrative", "parent": "320102000000"})
        assert ok.status_code == 302
    finally:
        roles.GRANTS[roles.Role.REGION_OFFICER] = original


@pytest.mark.django_db
def test_an_invalid_form_shows_chinese_errors_and_writes_nothing(client_as):
    before = ObjectChange.objects.count()
    response = client_as("system_admin").post("/regions/add/", {"code": "12ab", "name": "", "level": "township"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "区划代码应为 12 位数字" in body
    assert ObjectChange.objects.count() == before


def test_the_client_address_comes_from_the_trusted_proxy_hop_only(rf, settings):
    from kechuang.core.middleware import client_address

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    settings.KECHUANG_PROXY_COUNT = 0
    assert client_address(request) == "127.0.0.1"
    settings.KECHUANG_PROXY_COUNT = 1
    assert client_address(request) == "10.1.2.3"  # the spoofable left part is ignored
