"""The REST API (开放接口) at /api/, with its OpenAPI schema at /api/openapi.json and docs at /api/docs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError

from kechuang import __version__
from kechuang.accounts.api import me_router
from kechuang.accounts.api import router as users_router
from kechuang.core.api import API_AUTH, not_found_handler
from kechuang.eligibility.api import router as eligibility_router
from kechuang.enterprises.api import (
    enterprise_years_router,
    enterprises_router,
    ip_router,
    qualifications_router,
)
from kechuang.indicators.api import router as indicators_router
from kechuang.regions.api import router as regions_router

api = NinjaAPI(
    title="科创 Kechuang API",
    version="1.0.0",
    description="科技局业务数据接口。所有接口按调用者的角色与管辖范围过滤；使用个人 API 令牌（Bearer）或登录会话。",
    auth=API_AUTH,
    docs_decorator=login_required,
)
api.add_exception_handler(Http404, not_found_handler(api))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": "未认证：请提供有效的 API 令牌，或先登录。"}, status=401)



class HealthOut(Schema):
    status: str
    database: bool
    migrations: bool
    version: str


def _migrations_applied() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, operation_id="health",
         summary="健康检查：数据库可达、迁移已执行")
def health(request: HttpRequest):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
        migrations = _migrations_applied()
    except Exception:  # noqa: BLE001  (any database failure means "not healthy")
        database, migrations = False, False
    ok = database and migrations
    body = {"status": "ok" if ok else "unavailable", "database": database, "migrations": migrations,
            "version": __version__}
    return Status(200 if ok else 503, body)


api.add_router("/me", me_router)
api.add_router("/regions", regions_router)
api.add_router("/users", users_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/enterprise-years", enterprise_years_router)
api.add_router("/ip", ip_router)
api.add_router("/qualifications", qualifications_router)
api.add_router("/eligibility", eligibility_router)
api.add_router("/indicators", indicators_router)
