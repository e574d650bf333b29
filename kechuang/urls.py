"""URL map. Every view declares a policy (kechuang/core/policy.py); the API checks its own authentication."""

from django.urls import include, path

from kechuang.api import api
from kechuang.core.policy import API, POLICY_ATTR


def _api_urls():
    """The API's URL patterns, exempt from the login redirect: ninja answers 401 itself (docs need a login)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
        setattr(pattern.callback, POLICY_ATTR, API)
    return patterns, app_name, namespace


urlpatterns = [
    path("", include("kechuang.core.urls")),
    path("accounts/", include("kechuang.accounts.urls")),
    path("regions/", include("kechuang.regions.urls")),
    path("enterprises/", include("kechuang.enterprises.urls")),
    path("eligibility/", include("kechuang.eligibility.urls")),
    path("indicators/", include("kechuang.indicators.urls")),
    path("reports/", include("kechuang.reports.urls")),
    path("audit/", include("kechuang.audit.urls")),
    path("api/", _api_urls()),
]

handler403 = "kechuang.core.errors.permission_denied"
handler404 = "kechuang.core.errors.page_not_found"
handler500 = "kechuang.core.errors.server_error"
