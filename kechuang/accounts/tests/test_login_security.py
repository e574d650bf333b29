"""Login, lockout, session and password rules (SECURITY.md A1, A2, A4, A7, B1, B2)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.test import Client, override_settings

from kechuang.accounts.models import User
from kechuang.audit.models import DomainEvent
from kechuang.core.testing.personas import PASSWORD, make_user

LOGIN = "/accounts/login/"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_thirty_minutes():
    make_user("officer")
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        for _ in range(5):
            assert login(client, "officer", "wrong-password").status_code in (200, 429)
        response = login(client, "officer", PASSWORD)
        assert response.status_code == 429
        assert "账号已锁定" in response.content.decode()
        assert not logged_in(client)

        clock.move_to(T0 + timedelta(minutes=29))
        assert login(Client(), "officer", PASSWORD).status_code == 429  # an attempt does not restart the clock

        clock.move_to(T0 + timedelta(minutes=31))
        client = Client()
        response = login(client, "officer", PASSWORD)
        assert response.status_code == 302
        assert logged_in(client)
    assert DomainEvent.objects.filter(event_type="auth.locked_out").exists()
    assert DomainEvent.objects.filter(event_type="auth.login_failed", result="failure").count() >= 5


@pytest.mark.django_db
def test_unknown_user_and_wrong_password_look_the_same():
    make_user("officer")
    unknown = login(Client(), "nobody-here", "whatever-Pass-1")
    wrong = login(Client(), "officer", "whatever-Pass-1")
    assert unknown.status_code == wrong.status_code == 200
    assert [t.name for t in unknown.templates] == [t.name for t in wrong.templates]
    assert "用户名或密码不正确" in wrong.content.decode()
    failed = DomainEvent.objects.filter(event_type="auth.login_failed")
    assert {e.data["username"] for e in failed} == {"nobody-here", "officer"}


@pytest.mark.django_db
def test_a_crafted_username_cannot_forge_an_audit_line():
    login(Client(), "evil\nFAKE ENTRY", "x")
    event = DomainEvent.objects.get(event_type="auth.login_failed")
    assert "\n" not in event.data["username"]


@pytest.mark.django_db
def test_idle_session_expires_after_thirty_minutes():
    make_user("officer")
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        assert login(client, "officer", PASSWORD).status_code == 302
        clock.move_to(T0 + timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.move_to(T0 + timedelta(minutes=58))  # activity at +29 kept it alive
        assert client.get("/").status_code == 200
        clock.move_to(T0 + timedelta(minutes=58 + 31))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert "会话已超时" in client.get(response["Location"]).content.decode()
    assert DomainEvent.objects.filter(event_type="auth.session_expired", data__reason="idle").exists()


@pytest.mark.django_db
def test_session_ends_twelve_hours_after_login_however_active():
    make_user("officer")
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        login(client, "officer", PASSWORD)
        for minutes in range(20, 12 * 60, 20):
            clock.move_to(T0 + timedelta(minutes=minutes))
            assert client.get("/").status_code == 200
        clock.move_to(T0 + timedelta(hours=12, minutes=1))
        assert client.get("/").status_code == 302
    assert DomainEvent.objects.filter(event_type="auth.session_expired", data__reason="absolute").exists()


@pytest.mark.django_db
def test_usernames_are_unique_regardless_of_case():
    make_user("alice")
    with pytest.raises(IntegrityError):
        make_user("Alice")


@pytest.mark.django_db
def test_login_is_case_insensitive_for_the_username():
    make_user("alice")
    client = Client()
    assert login(client, "ALICE", PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_stored_with_argon2id():
    user = make_user("officer")
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
@pytest.mark.parametrize("password, accepted", [
    ("Abc12345", False),                      # too short
    ("abcdefghijklmn", False),                # one character class
    ("Kjj2025kjj2025!", False),               # context word
    ("Password123!Password", False),          # context word / common
    ("Zq7!" + "tranquil-harbour-" * 3 + "Q", True),  # long passphrase, 4 classes (≥ 64 chars allowed)
    ("Lantern-River-93", True),
])
def test_password_rules_through_the_change_password_page(password, accepted):
    user = make_user("officer", display_name="张三")
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password})
    user.refresh_from_db()
    assert user.check_password(password) is accepted
    assert response.status_code == (302 if accepted else 200)


@pytest.mark.django_db
def test_changing_the_password_records_when():
    user = make_user("officer")
    with time_machine.travel(T0, tick=False):
        user.set_password("Lantern-River-93")
        user.save()
    assert User.objects.get(pk=user.pk).password_changed_at == T0
