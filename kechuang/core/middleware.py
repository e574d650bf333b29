"""Request id and audit context for every request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kechuang.core.context import acting_as, new_request_id


def client_address(request: HttpRequest) -> str:
    """Return the client's address: REMOTE_ADDR, or — behind `KECHUANG_PROXY_COUNT` trusted proxies — the
    address that many hops from the right of X-Forwarded-For (the rest of that header is client-controlled,
    SECURITY.md A4 / ASVS 5 15.3.4). Login lockout (axes) and the audit trail both use this one function."""
    from django.conf import settings

    proxies = settings.KECHUANG_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "")


class RequestIdMiddleware:
    """Give every request an id (kept from a trusted `X-Request-ID` if nginx set one) and echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else new_request_id()
        with acting_as(None, request_id=request.request_id, remote_addr=client_address(request), channel="web"):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class AuditContextMiddleware:
    """Attribute every change made while handling the request to the logged-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user if request.user.is_authenticated else None
        with acting_as(user):
            return self.get_response(request)
