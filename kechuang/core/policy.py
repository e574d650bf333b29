"""URL policies (访问控制策略): every view declares who may reach it; a view without one is refused.

Deny by default (SECURITY.md C1): Django's LoginRequiredMiddleware sends anonymous users to the login page
unless a view is public, and `UrlPolicyMiddleware` answers 403 for any view that declares no policy — so a
forgotten declaration fails closed, and `test_every_url_has_a_policy` fails in CI.

Policies:
- `PUBLIC`: anyone (login page, health check);
- `AUTHENTICATED`: any logged-in user (home, logout, own profile);
- a `ModelPolicy(model, action)`: a role must grant `action` on the model's domain (403 otherwise); which rows
  the view then shows is `restrict()`'s business (404 outside the user's scope);
- `API`: django-ninja routes, which check their own authentication per operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

POLICY_ATTR = "kechuang_policy"
PUBLIC = "public"
AUTHENTICATED = "authenticated"
API = "api"


@dataclass(frozen=True)
class ModelPolicy:
    """The view needs a role granting `action` on `model`."""

    model: Any
    action: str

    def allows(self, user: Any) -> bool:
        from kechuang.core.permissions import can

        return can(user, self.model, self.action)

    def __str__(self) -> str:
        return f"{self.model._meta.label_lower}:{self.action}"


def policy(value: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the policy of a function view (`@policy(PUBLIC)`, `@policy(ModelPolicy(Region, "view"))`)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, POLICY_ATTR, value)
        return login_not_required(view) if value == PUBLIC else view

    return decorate


def policy_of(view: Callable[..., Any]) -> Any:
    """Return the policy declared by a view function or class-based view, or None."""
    found = getattr(view, POLICY_ATTR, None)
    if found is None and hasattr(view, "view_class"):
        found = getattr(view.view_class, "get_url_policy", lambda: None)()
    return found


class UrlPolicyMiddleware:
    """Refuse (403) any view without a declared policy, and any ModelPolicy the user's roles do not grant."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any) -> None:
        declared = policy_of(view_func)
        if declared is None:
            raise PermissionDenied("该页面未声明访问策略。")
        if isinstance(declared, ModelPolicy) and not declared.allows(request.user):
            raise PermissionDenied("您的角色无权执行此操作。")
        return None
