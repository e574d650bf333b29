"""Roles (角色) and what each may do on each permission domain (ARCHITECTURE.md "Who uses it"; SECURITY.md C2, C7).

Domains: `business` (enterprise and programme data), `reference` (regions and dictionaries), `accounts`
(user accounts), `security` (role assignments and security policy), `audit` (change log and events).
The three administrator roles (三权分立) are mutually exclusive and see no business data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ALL = frozenset({"view", "add", "change", "delete", "import", "export"})
READ = frozenset({"view", "export"})


class Role(models.TextChoices):
    LEADER = "leader", _("局领导")
    BUREAU_OFFICER = "bureau_officer", _("科室人员")
    REGION_OFFICER = "region_officer", _("区县/街道/园区人员")
    ENTERPRISE_USER = "enterprise_user", _("企业用户")
    EXPERT = "expert", _("评审专家")
    BANK_USER = "bank_user", _("合作银行")
    SERVICE_PROVIDER = "service_provider", _("服务机构")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)

# Which kind of scope an assignment of each role carries.
SCOPE_KIND = {
    Role.LEADER: "region",
    Role.BUREAU_OFFICER: "region",
    Role.REGION_OFFICER: "region",
    Role.ENTERPRISE_USER: "enterprise",
    Role.EXPERT: "expert",
    Role.BANK_USER: "bank",
    Role.SERVICE_PROVIDER: "provider",
    Role.SYSTEM_ADMIN: "global",
    Role.SECURITY_ADMIN: "global",
    Role.AUDIT_ADMIN: "global",
}

GRANTS: dict[str, dict[str, frozenset[str]]] = {
    Role.LEADER: {"business": READ, "reference": READ},
    Role.BUREAU_OFFICER: {"business": ALL, "reference": READ},
    Role.REGION_OFFICER: {"business": frozenset({"view", "add", "change", "import", "export"}), "reference": READ},
    # 企业用户: its own enterprise only (scope). "add" lets it submit its annual figures and IP; registering
    # enterprises and recording qualifications stay with officers (kechuang/enterprises/views.py OfficerPolicy).
    Role.ENTERPRISE_USER: {"business": frozenset({"view", "add", "change"}), "reference": frozenset({"view"})},
    Role.EXPERT: {"reference": frozenset({"view"})},
    Role.BANK_USER: {"reference": frozenset({"view"})},
    Role.SERVICE_PROVIDER: {"reference": frozenset({"view"})},
    # 系统管理员: accounts and system parameters (the region tree); cannot grant rights or read audit.
    Role.SYSTEM_ADMIN: {"accounts": frozenset({"view", "add", "change", "export"}), "reference": ALL},
    # 安全管理员: who holds which role; can see accounts but not create them.
    Role.SECURITY_ADMIN: {"security": ALL, "accounts": frozenset({"view"})},
    # 审计管理员: read, search and export the audit trail only.
    Role.AUDIT_ADMIN: {"audit": READ},
}


def actions_for(role: str, domain: str) -> frozenset[str]:
    """Return the actions `role` may take on models of `domain`."""
    return GRANTS.get(role, {}).get(domain, frozenset())
