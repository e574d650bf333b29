from django.http import HttpRequest
from ninja import Router, Schema

from kechuang.accounts.filtersets import UserFilterSet
from kechuang.accounts.models import User
from kechuang.core.api import crud_router
from kechuang.core.masking import mask_phone


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    organisation: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_phone(obj: User) -> str:
        return mask_phone(obj.phone)


class AssignmentOut(Schema):
    role: str
    role_label: str
    region_code: str | None
    region_name: str | None


class MeOut(Schema):
    username: str
    display_name: str
    assignments: list[AssignmentOut]


router = crud_router(model=User, schema_out=UserOut, schema_in=None, filterset=UserFilterSet, form=None,
                     tags=["用户"])
me_router = Router(tags=["当前用户"])


@me_router.get("/", response=MeOut, operation_id="me", summary="当前用户及其角色和管辖范围")
def me(request: HttpRequest) -> dict:
    from kechuang.core.permissions import assignments_of

    return {
        "username": request.user.username,
        "display_name": request.user.display_name,
        "assignments": [
            {"role": a.role, "role_label": str(a.get_role_display()),
             "region_code": a.region_id, "region_name": a.region.name if a.region_id else None}
            for a in assignments_of(request.user)
        ],
    }
