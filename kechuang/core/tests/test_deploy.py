"""Production settings (SECURITY.md J1): `kechuang check --deploy --fail-level WARNING` is clean."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "KECHUANG_ENV": "production",
    "SECRET_KEY": "x7Jq-prod-test-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0zyxwvutsrqponm",
    "ALLOWED_HOSTS": "kj.example.gov.cn",
    "DATABASE_URL": "postgres://kechuang@db.internal:5432/kechuang",  # the check does not connect
}


def run_kechuang(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "kechuang", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_production_variables():
    result = run_kechuang("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_kechuang("check", env_extra=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_hardened():
    script = ("from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
              "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_AGE, s.KECHUANG_AUDIT_PURGE_ALLOWED, "
              "s.PASSWORD_HASHERS[0].rsplit('.', 1)[1])")
    result = run_kechuang("shell", "-v", "0", "-c", script, env_extra={**PRODUCTION_ENV, "KECHUANG_AUDIT_PURGE_ALLOWED": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000", "__Host-sessionid", "1800", "False",
                                     "Argon2PasswordHasher"]


def test_check_deploy_warns_about_sqlite_in_production():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:////tmp/kechuang-deploy-check.sqlite3"}
    result = run_kechuang("check", "--deploy", "--fail-level", "WARNING", env_extra=env)
    assert result.returncode != 0
    assert "kechuang.W001" in result.stdout + result.stderr
