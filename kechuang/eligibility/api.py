"""`POST /api/eligibility/{programme}/assess`: the same assessment as ``kechuang assess``, as JSON."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kechuang.core.permissions import can
from kechuang.eligibility.engine.facts import FactError
from kechuang.eligibility.engine.programme import BAD_INPUT, REGISTRY, UnknownProgramme, assess
from kechuang.eligibility.models import SavedAssessment

router = Router(tags=["资格预审"])


class AssessIn(Schema):
    facts: dict[str, Any]
    as_of: datetime.date | None = None


class BadInputOut(Schema):
    detail: str
    field: str


class ProgrammeOut(Schema):
    code: str
    label: str
    kind: str
    rung: str


@router.get("/", response=list[ProgrammeOut], operation_id="eligibility_programmes", summary="可评估的项目")
def programmes(request: HttpRequest) -> Any:
    _require_business(request)
    return [{"code": p.code, "label": p.label, "kind": p.kind, "rung": p.rung} for p in REGISTRY.values()]


@router.post("/{programme}/assess", response={200: dict[str, Any], 422: BadInputOut},
             operation_id="eligibility_assess", summary="按项目规则评估一组事实（是否符合、得分、条件、差距）")
def assess_facts(request: HttpRequest, programme: str, payload: AssessIn) -> Any:
    """Assess ``payload.facts`` on ``payload.as_of`` (default today); 422 names the offending field."""
    _require_business(request)
    as_of = payload.as_of or datetime.date.today()
    if as_of > datetime.date.today():
        return Status(422, {"detail": "评估日期不能晚于今天。", "field": "as_of"})
    try:
        result = assess(payload.facts, programme, as_of)
    except BAD_INPUT as exc:
        return Status(422, _bad_input(exc))
    return result.as_json()


def _require_business(request: HttpRequest) -> None:
    if not can(request.user, SavedAssessment, "view"):
        raise HttpError(403, "您的角色无权使用资格预审。")


def _bad_input(exc: Exception) -> dict[str, str]:
    if isinstance(exc, FactError):
        return {"detail": exc.message, "field": exc.field}
    if isinstance(exc, UnknownProgramme):
        return {"detail": str(exc), "field": "programme"}
    return {"detail": str(exc), "field": "as_of"}
