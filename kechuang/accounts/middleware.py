"""Session rules (SECURITY.md B1, B2): the idle timeout lives in settings (SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST); this middleware adds the absolute lifetime and tells a user whose session ran out."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "kc_login_at"


def stamp_login_time(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """Record when the session's login happened; the absolute lifetime counts from here."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = time.time()


class AbsoluteSessionLifetimeMiddleware:
    """End a session `SESSION_ABSOLUTE_LIFETIME` seconds after login however active it is, and audit and
    explain a request that arrives with a session that has expired."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_AT_KEY)
            if started is None:
                request.session[LOGIN_AT_KEY] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                self._expire(request, reason="absolute")
        elif request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.session.session_key is None:
            self._expire(request, reason="idle")
        return self.get_response(request)

    @staticmethod
    def _expire(request: HttpRequest, *, reason: str) -> None:
        from kechuang.audit.changelog import record_event

        user = request.user if request.user.is_authenticated else None
        record_event("auth.session_expired", actor=user, result="failure", message="会话已超时",
                     data={"reason": reason})
        if user is not None:
            logout(request)
        messages.info(request, _("会话已超时，请重新登录。"))
