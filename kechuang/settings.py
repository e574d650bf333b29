"""Settings, read from the environment with safe defaults for a laptop.

Production mode is `KECHUANG_ENV=production`: DEBUG off, secure cookies, HSTS, SSL redirect, and SECRET_KEY
and ALLOWED_HOSTS required. See docs/deploy.md and ../shared/design/SECURITY.md sections A, B and J.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("KECHUANG_VAR_DIR", REPO_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean value of environment variable `name` (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Return a comma-separated environment variable as a list of non-empty strings."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


KECHUANG_ENV = os.environ.get("KECHUANG_ENV", "development")
PRODUCTION = KECHUANG_ENV == "production"

if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("生产环境必须设置至少 50 个字符的 SECRET_KEY 环境变量。")
    DEBUG = env_bool("DEBUG", False)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("生产环境必须设置 ALLOWED_HOSTS 环境变量。")
else:
    # A fixed development key: never valid in production (the branch above refuses to start without one).
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-kechuang-key-not-for-production-use-0123456789abcdef")
    DEBUG = env_bool("DEBUG", True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",
    "kechuang.core",
    "kechuang.audit",
    "kechuang.regions",
    "kechuang.accounts",
    "kechuang.enterprises",
    "kechuang.eligibility",
    "kechuang.indicators",
    "kechuang.reports",
    "kechuang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kechuang.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kechuang.accounts.middleware.AbsoluteSessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "kechuang.core.middleware.AuditContextMiddleware",
    "kechuang.core.policy.UrlPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kechuang.core.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions) for a laptop; DATABASE_URL=postgres://… for production.
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'kechuang.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing with
    # "database is locked" mid-transaction (SECURITY.md E1).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # mmap and a 64 MB page cache: list counts over a province-sized register read the indexes from memory
        # instead of through read() calls (bench/bench_enterprise_list.py; docs/decisions/0010).
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                         "PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;"),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication (SECURITY.md A2, A4, A7, B1–B5) -----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "kechuang.accounts.validators.ExtendedUserAttributeSimilarityValidator",
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "kechuang.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "kechuang.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "kechuang.accounts.validators.ContextWordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes, exactly as SECURITY.md A4: 5 failures lock for 30 minutes, counted by username and by IP,
# and an attempt during the lockout does not restart the clock.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Behind nginx: KECHUANG_PROXY_COUNT=1 makes the lockout and the audit trail use the client's address from
# X-Forwarded-For (the hop the trusted proxy appended), not nginx's own.
KECHUANG_PROXY_COUNT = int(os.environ.get("KECHUANG_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "kechuang.core.middleware.client_address"

# 30-minute idle timeout (B1) and 12-hour absolute lifetime (B2).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation --------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Background tasks (django-tasks database backend; immediate in tests) -------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KECHUANG_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
    }
}

# --- Tables, messages, logging --------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-hover table-sm align-middle"}
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)r"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Kechuang --------------------------------------------------------------------------------------------
# Only test runs may purge audit rows (to reset the database between transactional tests); production never.
KECHUANG_AUDIT_PURGE_ALLOWED = (not PRODUCTION) and env_bool("KECHUANG_AUDIT_PURGE_ALLOWED", False)
KECHUANG_DEMO_ALLOWED = not PRODUCTION
# Largest Excel file an import accepts, in MB (CLI, background task and upload page alike; SECURITY.md F2).
# The decompression limits of the safety gate do not change with it (docs/decisions/0008-import-size-cap.md).
_import_max_mb = os.environ.get("KECHUANG_IMPORT_MAX_MB", "50").strip()
if not _import_max_mb.isdigit() or int(_import_max_mb) == 0:
    raise ImproperlyConfigured("KECHUANG_IMPORT_MAX_MB 必须是正整数（单位 MB），如 50。")
KECHUANG_IMPORT_MAX_MB = int(_import_max_mb)
NINJA_PAGINATION_PER_PAGE = 50

# --- Production hardening (SECURITY.md A6, B5, G1, J1) --------------------------------------------------
CSRF_FAILURE_VIEW = "kechuang.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    if env_bool("KECHUANG_TRUST_PROXY_HTTPS", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
    # W021 (HSTS preload) is silenced on purpose: bureau deployments live on intranet host names that are
    # not in any public preload list; HSTS itself is on (docs/deploy.md).
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
