"""Project-specific deployment checks (SECURITY.md J2), run by `kechuang check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DEFAULT_ACCOUNT_NAMES = {"admin", "root", "test", "sa", "administrator"}


@register(Tags.security, deploy=True)
def production_database_is_postgresql(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """SQLite cannot meet 等保 三级 §8.1.4.9 b) c) (real-time off-site backup, hot standby): laptops only."""
    if settings.PRODUCTION and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return [Warning("生产环境应使用 PostgreSQL（设置 DATABASE_URL），SQLite 仅用于开发和演示。",
                        id="kechuang.W001")]
    return []


@register(Tags.security, deploy=True)
def audit_purge_is_off(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.PRODUCTION and settings.KECHUANG_AUDIT_PURGE_ALLOWED:
        return [Error("生产环境不得允许清除审计记录。", id="kechuang.E001")]
    return []


@register(Tags.security, deploy=True)
def first_hasher_is_argon2(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher"):
        return [Error("首选密码哈希算法应为 Argon2。", id="kechuang.E002")]
    return []
