"""Demo steps of the foundation: the demo city's regions and parks, and one demo account per role."""

from __future__ import annotations

from django.conf import settings

from kechuang.accounts.models import RoleAssignment, User
from kechuang.accounts.roles import Role
from kechuang.demo.registry import DemoContext, demo_step
from kechuang.regions.choices import RegionKind, RegionLevel
from kechuang.regions.models import Region
from kechuang.regions.services import NATIONAL_FILE, RegionRow, load_regions, read_region_file, street_file

DEMO_CITY = "320100000000"  # 南京市: real districts and streets; every person and enterprise is fictional
DEMO_DISTRICT = "320102000000"  # 玄武区
DEMO_STREET = "320102002000"  # 梅园新村街道
# Real development zones and parks of the demo city, marked with their kind (their township-level 4xx codes
# come from the statistical code list).
DEMO_PARKS = (
    RegionRow("320102400000", "徐庄高新技术产业开发区", RegionLevel.TOWNSHIP, "320102000000", RegionKind.DEVELOPMENT_ZONE),
    RegionRow("320111404000", "南京浦口高新技术产业开发区", RegionLevel.TOWNSHIP, "320111000000",
              RegionKind.DEVELOPMENT_ZONE),
    RegionRow("320115405000", "麒麟科技创新园（生态科技城）", RegionLevel.TOWNSHIP, "320115000000", RegionKind.PARK),
)
DEMO_PASSWORD = "Demo-Pass-2026"

# username, display name, role, region code (None: no region scope)
DEMO_USERS = (
    ("leader", "王局长", Role.LEADER, DEMO_CITY),
    ("city_officer", "李科长", Role.BUREAU_OFFICER, DEMO_CITY),
    ("district_officer", "赵科员（玄武区）", Role.REGION_OFFICER, DEMO_DISTRICT),
    ("street_officer", "钱专员（梅园新村街道）", Role.REGION_OFFICER, DEMO_STREET),
    ("enterprise_user", "孙经理（演示企业）", Role.ENTERPRISE_USER, None),
    ("expert", "周教授", Role.EXPERT, None),
    ("bank_user", "吴经理（合作银行）", Role.BANK_USER, None),
    ("provider_user", "郑顾问（服务机构）", Role.SERVICE_PROVIDER, None),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, None),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, None),
    ("auditadmin", "审计管理员", Role.AUDIT_ADMIN, None),
)


@demo_step("regions", order=10)
def load_demo_regions(ctx: DemoContext) -> None:
    """Load the national province/city/county list, the demo city's streets, and mark its parks and zones."""
    for rows, source in ((read_region_file(NATIONAL_FILE), NATIONAL_FILE.name),
                         (read_region_file(street_file("3201")), "streets_3201.csv"),
                         (list(DEMO_PARKS), "demo parks and zones")):
        counts = load_regions(rows, actor=None, source=source)
        ctx.write(f"  区划 {source}: 新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}")
    ctx.made["city"] = Region.objects.get(code=DEMO_CITY)


@demo_step("users", order=20)
def load_demo_users(ctx: DemoContext) -> None:
    """Create one demo account per role (idempotent: existing accounts keep their password)."""
    for username, display_name, role, region_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display_name, organisation="演示单位")
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=role, region_id=region_code)
    ctx.made["users"] = [u[0] for u in DEMO_USERS]


def demo_logins() -> list[tuple[str, str, str]]:
    """Return (username, role label, scope) for the README and the command's summary."""
    assert settings.KECHUANG_DEMO_ALLOWED
    return [(u, str(Role(r).label), code or "—") for u, _n, r, code in DEMO_USERS]
