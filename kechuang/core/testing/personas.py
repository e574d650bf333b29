"""Named personas for readable permission tests (STYLE.md §12): a small region tree and one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kechuang.accounts.models import RoleAssignment, User
from kechuang.accounts.roles import Role
from kechuang.regions.models import Region

PASSWORD = "Test-Pass-2026x"

# A province, a city, two districts with a street each, and a district of another city.
REGION_ROWS = (
    ("320000000000", "江苏省", "province", None),
    ("320100000000", "南京市", "city", "320000000000"),
    ("320102000000", "玄武区", "county", "320100000000"),
    ("320102002000", "梅园新村街道", "township", "320102000000"),
    ("320104000000", "秦淮区", "county", "320100000000"),
    ("320104001000", "秦虹街道", "township", "320104000000"),
    ("320200000000", "无锡市", "city", "320000000000"),
    ("320205000000", "锡山区", "county", "320200000000"),
)
CITY, DISTRICT_A, STREET_A, DISTRICT_B, STREET_B, OTHER_CITY = (
    "320100000000", "320102000000", "320102002000", "320104000000", "320104001000", "320200000000")

# persona → (role, region code)
PERSONAS = {
    "leader": (Role.LEADER, CITY),
    "city_officer": (Role.BUREAU_OFFICER, CITY),
    "district_a_officer": (Role.REGION_OFFICER, DISTRICT_A),
    "district_b_officer": (Role.REGION_OFFICER, DISTRICT_B),
    "street_a_officer": (Role.REGION_OFFICER, STREET_A),
    "enterprise_user": (Role.ENTERPRISE_USER, None),
    "expert": (Role.EXPERT, None),
    "bank_user": (Role.BANK_USER, None),
    "system_admin": (Role.SYSTEM_ADMIN, None),
    "security_admin": (Role.SECURITY_ADMIN, None),
    "audit_admin": (Role.AUDIT_ADMIN, None),
}


def make_regions() -> dict[str, Region]:
    """Create the persona region tree (parents first) and return it by code."""
    made: dict[str, Region] = {}
    for code, name, level, parent in REGION_ROWS:
        made[code] = Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    return made


def make_user(username: str, role: str | None = None, region: str | None = None, **extra: Any) -> User:
    """Create a user with the test password and, if `role` is given, one role assignment."""
    user = User(username=username, display_name=extra.pop("display_name", username), **extra)
    user.set_password(PASSWORD)
    user.save()
    if role:
        RoleAssignment.objects.create(user=user, role=role, region_id=region)
    return user


@dataclass
class Cast:
    """The personas of one test, by name (`cast.district_a_officer`)."""

    users: dict[str, User]
    regions: dict[str, Region]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def make_cast() -> Cast:
    """Create the regions and one user per persona."""
    regions = make_regions()
    users = {name: make_user(name, role, region) for name, (role, region) in PERSONAS.items()}
    users["nobody"] = make_user("nobody")
    return Cast(users, regions)
