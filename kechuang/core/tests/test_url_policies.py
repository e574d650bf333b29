"""Deny by default (SECURITY.md C1): every URL declares a policy; anonymous users reach only public ones."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kechuang.core.policy import API, PUBLIC, policy_of

PUBLIC_URLS = {"accounts:login", "api-1.0.0:health"}


def iter_patterns(resolver=None, prefix="", namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from iter_patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield namespace + (p.name or ""), prefix + str(p.pattern), p.callback


def sample_path(route):
    """Return a concrete path for a route, with 0 for every parameter."""
    path = re.sub(r"<(?:\w+:)?\w+>", "0", route)
    return "/" + path.lstrip("^").rstrip("$")


ALL = list(iter_patterns())


def test_every_url_has_a_policy():
    missing = sorted(name or route for name, route, view in ALL if policy_of(view) is None)
    assert not missing, f"URLs without an access policy: {missing}"


def test_only_the_allow_listed_urls_are_public():
    public = {name for name, _route, view in ALL if policy_of(view) == PUBLIC}
    assert public == PUBLIC_URLS - {"api-1.0.0:health"}


@pytest.mark.django_db
@pytest.mark.parametrize("name, route", [(n, r) for n, r, v in ALL if policy_of(v) != PUBLIC])
def test_anonymous_requests_are_refused(name, route):
    response = Client().get(sample_path(route))
    if response.status_code == 405:  # a POST-only endpoint: ask the way it answers
        response = Client().post(sample_path(route), {}, content_type="application/json")
    if name.startswith("api-"):
        if name == "api-1.0.0:health":
            assert response.status_code == 200
        elif name.endswith("api-root"):
            assert response.status_code == 404  # nothing lives at /api/ itself
        elif name.endswith(("openapi-json", "openapi-view")):
            assert response.status_code == 302  # the docs need a login
        else:
            assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_api_views_are_marked_as_api():
    assert all(policy_of(v) == API for n, _r, v in ALL if n.startswith("api-"))


@pytest.mark.django_db
def test_a_get_never_writes(client_as):
    """GET is safe (SECURITY.md C10): no page or list changes business data when read."""
    from kechuang.audit.models import ObjectChange

    client = client_as("city_officer")
    before = ObjectChange.objects.count()
    for path in ("/", "/regions/", "/regions/320102000000/", "/regions/export/"):
        assert client.get(path).status_code == 200
    assert ObjectChange.objects.count() == before


@pytest.mark.django_db
def test_a_view_without_a_policy_is_refused(client_as, settings):
    """Fail closed: a view nobody declared a policy for answers 403 even to a logged-in officer."""
    from django.http import HttpResponse
    from django.urls import path

    from kechuang import urls

    def undeclared(request):
        return HttpResponse("secret")

    module = type("M", (), {"urlpatterns": [path("undeclared/", undeclared)] + urls.urlpatterns})
    settings.ROOT_URLCONF = module
    response = client_as("city_officer").get("/undeclared/")
    assert response.status_code == 403
