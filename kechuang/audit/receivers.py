"""Security events written to the audit trail (SECURITY.md D1): logins, failures, lockouts, logouts."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from kechuang.audit.changelog import record_event


def _attempted_username(credentials: dict[str, Any] | None) -> str:
    # The attempted name is kept, escaped of control characters, so a crafted name cannot forge log lines.
    name = str((credentials or {}).get("username", ""))[:150]
    return name.encode("unicode_escape").decode("ascii")


@receiver(user_logged_in, dispatch_uid="kechuang_audit_login")
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event("auth.login", actor=user, message="登录成功")


@receiver(user_logged_out, dispatch_uid="kechuang_audit_logout")
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event("auth.logout", actor=user, message="退出登录")


@receiver(user_login_failed, dispatch_uid="kechuang_audit_login_failed")
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record_event("auth.login_failed", result="failure", message="登录失败",
                 data={"username": _attempted_username(credentials)})


@receiver(user_locked_out, dispatch_uid="kechuang_audit_locked_out")
def on_locked_out(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    record_event("auth.locked_out", result="failure", message="连续登录失败，账号已锁定",
                 data={"username": _attempted_username({"username": username}), "ip_address": ip_address})


@receiver(connection_created, dispatch_uid="kechuang_audit_purge_flag")
def allow_audit_purge_in_tests(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Let the test runner's flush empty the audit tables; never set outside test runs (settings guard it)."""
    if settings.KECHUANG_AUDIT_PURGE_ALLOWED and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET kechuang.audit_purge = 'on'")
