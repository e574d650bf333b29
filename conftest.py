"""Test-run configuration shared by every test (both databases)."""

import os

# Let the test runner's flush empty the append-only audit tables on PostgreSQL (never set in production).
os.environ.setdefault("KECHUANG_AUDIT_PURGE_ALLOWED", "1")
os.environ.setdefault("KECHUANG_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

pytest_plugins = ["kechuang.core.testing.fixtures"]


def pytest_configure(config):
    from django.conf import settings

    # Settings may have been imported before this file set the environment: set the flag on them directly.
    settings.KECHUANG_AUDIT_PURGE_ALLOWED = True
    # Background tasks run at once in tests (the database backend needs a worker).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Fast hashing in tests; test_password_storage checks the production hasher explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.Argon2PasswordHasher"]
