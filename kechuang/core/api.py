"""API base (django-ninja): authentication by hashed personal token or session, and generic scoped CRUD.

Every endpoint reads through `restrict()`: 403 when no role grants the action, 404 outside the user's scope,
exactly like the pages. Apps declare their endpoints with `crud_router(...)`.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint signatures built below at runtime,
# and their annotations name local variables (schema_in, pk_type) that string annotations cannot resolve.
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from pydantic import create_model

from kechuang.core.context import AuditContext, _current
from kechuang.core.permissions import can


def bind_actor(request: HttpRequest, user: Any) -> None:
    """Attribute the rest of this request's changes to `user` (the outer request middleware resets it)."""
    request.user = user
    ctx = _current.get()
    _current.set(AuditContext(actor=user, request_id=ctx.request_id, remote_addr=ctx.remote_addr, channel="api"))


def user_for_token(request: HttpRequest, raw: str) -> Any:
    """Return the active user owning token `raw`, or None (and audit the failed attempt)."""
    from kechuang.accounts.models import ApiToken, hash_token
    from kechuang.audit.changelog import record_event

    now = timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw or "")).first()
    if token is None or not token.is_usable(now):
        record_event("api.auth_failed", result="failure", message="API 令牌无效或已过期",
                     data={"token_prefix": (raw or "")[:10].encode("unicode_escape").decode("ascii")})
        return None
    ApiToken._base_manager.filter(pk=token.pk).update(last_used=now)  # bookkeeping, not a business change
    bind_actor(request, token.user)
    return token.user


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kc_…` — a personal API token (stored hashed)."""

    openapi_description = "个人 API 令牌：Authorization: Bearer kc_…"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(request, token)


class HeaderTokenAuth(APIKeyHeader):
    """`X-API-Key: kc_…` for clients that cannot set a bearer header."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return user_for_token(request, key) if key else None


class LoggedInSessionAuth(SessionAuth):
    """The browser's session (CSRF-checked on unsafe methods by ninja)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user:
            bind_actor(request, user)
        return user


API_AUTH = [BearerTokenAuth(), HeaderTokenAuth(), LoggedInSessionAuth()]


class ErrorOut(Schema):
    detail: str


def require(request: HttpRequest, model: type[models.Model], action: str) -> "models.QuerySet":
    """Return the rows of `model` the caller may `action`; 403 when no role grants it at all."""
    if not can(request.user, model, action):
        raise HttpError(403, "您的角色无权执行此操作。")
    return model.objects.restrict(request.user, action)


def get_scoped(request: HttpRequest, model: type[models.Model], action: str, pk: Any) -> models.Model:
    """Return one object the caller may `action`, or 404 (also for objects outside the caller's scope)."""
    obj = require(request, model, action).filter(pk=pk).first()
    if obj is None:
        raise HttpError(404, "未找到该记录，或它不在您的管辖范围内。")
    return obj


def form_errors(form: Any) -> str:
    """Return a form's errors as one Chinese sentence per field: `字段: 原因`."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label or name}: {'；'.join(str(e) for e in errors)}" if name != "__all__" else
                     "；".join(str(e) for e in errors))
    return "；".join(parts)


def save_scoped(request: HttpRequest, model: type[models.Model], action: str, form: Any) -> models.Model:
    """Validate and save `form` in a transaction, re-checking the saved object is within the caller's scope."""
    if not form.is_valid():
        raise HttpError(422, form_errors(form))
    try:
        with transaction.atomic():
            obj = form.save()
            if not model.objects.restrict(request.user, action).filter(pk=obj.pk).exists():
                raise PermissionDenied
    except PermissionDenied:
        raise HttpError(403, "不能在您的管辖范围之外新增或修改数据。") from None
    return obj


def crud_router(*, model: type[models.Model], schema_out: type[Schema], schema_in: type[Schema] | None,
                filterset: Any, form: Any | None, tags: list[str], pk_type: type = int,
                ) -> Router:
    """Return a router with list (filtered, paginated), detail and — if `form` is given — create and update."""
    router = Router(tags=tags)
    name = model._meta.model_name

    @router.get("/", response=list[schema_out], operation_id=f"{name}_list",
                summary=f"{model._meta.verbose_name}列表")
    @paginate(PageNumberPagination, page_size=50)
    def list_objects(request: HttpRequest, **kwargs: Any) -> Any:
        rows = require(request, model, "view")
        return filterset(request.GET, queryset=rows, request=request).qs

    @router.get("/{pk}", response={200: schema_out, 404: ErrorOut}, operation_id=f"{name}_detail",
                summary=f"{model._meta.verbose_name}详情")
    def get_object(request: HttpRequest, pk: pk_type) -> Any:  # type: ignore[valid-type]
        return get_scoped(request, model, "view", pk)

    if form is not None and schema_in is not None:
        _add_write_routes(router, model, schema_in, schema_out, form, pk_type)
    return router


def partial_schema(schema_in: type[Schema]) -> type[Schema]:
    """Return a copy of `schema_in` whose fields are all optional, for PATCH bodies."""
    fields = {name: (field.annotation | None, None) for name, field in schema_in.model_fields.items()}
    return create_model(f"{schema_in.__name__}Patch", __base__=Schema, **fields)


def _add_write_routes(router: Router, model: type[models.Model], schema_in: type[Schema],
                      schema_out: type[Schema], form: Any, pk_type: type) -> None:
    name = model._meta.model_name
    schema_patch = partial_schema(schema_in)

    @router.post("/", response={201: schema_out, 403: ErrorOut, 422: ErrorOut}, operation_id=f"{name}_create",
                 summary=f"新增{model._meta.verbose_name}")
    def create_object(request: HttpRequest, payload: schema_in) -> Any:  # type: ignore[valid-type]
        require(request, model, "add")
        return Status(201, save_scoped(request, model, "add", form(data=payload.dict())))

    @router.patch("/{pk}", response={200: schema_out, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
                  operation_id=f"{name}_update", summary=f"修改{model._meta.verbose_name}")
    def update_object(request: HttpRequest, pk: pk_type, payload: schema_patch) -> Any:  # type: ignore[valid-type]
        obj = get_scoped(request, model, "change", pk)
        data = {**_form_initial(form, obj), **payload.dict(exclude_unset=True)}
        return save_scoped(request, model, "change", form(data=data, instance=obj))


def _form_initial(form: Any, obj: models.Model) -> dict[str, Any]:
    from django.forms.models import model_to_dict

    return model_to_dict(obj, fields=form._meta.fields)


def not_found_handler(api: Any) -> Callable[..., Any]:
    def handle(request: HttpRequest, exc: Exception) -> Any:
        return api.create_response(request, {"detail": "未找到该记录，或它不在您的管辖范围内。"}, status=404)

    return handle


__all__ = ["API_AUTH", "Http404", "crud_router", "get_scoped", "require", "not_found_handler"]
