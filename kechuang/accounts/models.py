"""Users (用户), their role assignments with scopes (角色授权), and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.roles import ADMIN_ROLES, SCOPE_KIND, Role
from kechuang.core.models import ChangeLoggedModel
from kechuang.core.querysets import ChangeLoggedQuerySet

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入 11 位手机号码。"))


class KechuangUserManager(UserManager.from_queryset(ChangeLoggedQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, username: str) -> User:
        # Usernames are unique regardless of case (SECURITY.md A1); log in the same way.
        return self.get(username__iexact=username)


class User(ChangeLoggedModel, AbstractUser):
    """A person's own account (no shared accounts, SECURITY.md A1)."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[phone_validator])
    organisation = models.CharField(_("所在单位"), max_length=100, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = KechuangUserManager()

    permission_domain: ClassVar[str] = "accounts"
    scope_fields: ClassVar[dict[str, str]] = {}
    audit_masked_fields: ClassVar[dict[str, str]] = {"password": "secret", "phone": "phone"}
    audit_excluded_fields: ClassVar[tuple[str, ...]] = ("created", "last_updated", "last_login")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ("username",)
        constraints = [
            models.UniqueConstraint(
                Lower("username"), name="user_username_ci_unique",
                violation_error_message=_("该用户名已被使用（不区分大小写）。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def primary_assignment(self) -> RoleAssignment | None:
        """Return the first active assignment, shown in the top bar."""
        from kechuang.core.permissions import assignments_of

        found = assignments_of(self)
        return found[0] if found else None


class RoleAssignment(ChangeLoggedModel):
    """角色授权: a role held by a user within a scope (a region subtree, an enterprise, a bank …)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("管辖区域"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    permission_domain: ClassVar[str] = "security"
    scope_fields: ClassVar[dict[str, str]] = {}

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ("user", "role")
        constraints = [
            # 三权分立: one person holds at most one of the three administrator roles (SECURITY.md C7).
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(role__in=[r.value for r in ADMIN_ROLES]),
                name="roleassignment_one_admin_role",
                violation_error_message=_("系统管理员、安全管理员、审计管理员三种角色互斥，同一用户只能担任其一。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["leader", "bureau_officer", "region_officer"]) | models.Q(
                    region__isnull=False),
                name="roleassignment_region_scope_has_region",
                violation_error_message=_("该角色必须指定管辖区域。"),
            ),
        ]

    def __str__(self) -> str:
        where = f" · {self.region}" if self.region_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:roleassignment_detail", args=[self.pk])

    @property
    def scope_kind(self) -> str:
        """Return how this assignment's scope reaches rows: region, enterprise, bank, provider, expert, global."""
        return SCOPE_KIND[Role(self.role)]

    def scope_value(self) -> Any:
        """Return the identity of a non-region scope: the enterprise's id for an enterprise user (banks,
        providers and experts come with their apps)."""
        if self.scope_kind == "enterprise":
            return self.enterprise_id
        return None

    def clean(self) -> None:
        super().clean()
        if self.role in ADMIN_ROLES and self.user_id:
            others = RoleAssignment.objects.filter(user_id=self.user_id, role__in=ADMIN_ROLES).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    _("系统管理员、安全管理员、审计管理员三种角色互斥，同一用户只能担任其一。"), code="admin_roles"
                )
            if self.user.role_assignments.exclude(role__in=ADMIN_ROLES).exclude(pk=self.pk).exists():
                raise ValidationError(_("管理员角色不能与业务角色同时授予同一用户。"), code="admin_business")
        if self.role not in ADMIN_ROLES and self.user_id and self.user.role_assignments.filter(
                role__in=ADMIN_ROLES).exclude(pk=self.pk).exists():
            raise ValidationError(_("管理员角色不能与业务角色同时授予同一用户。"), code="admin_business")
        if self.scope_kind == "region" and not self.region_id:
            raise ValidationError({"region": _("该角色必须指定管辖区域。")})
        if self.scope_kind == "enterprise" and not self.enterprise_id:
            raise ValidationError({"enterprise": _("企业用户必须指定所属企业。")})


def hash_token(raw: str) -> str:
    """Return the SHA-256 hex digest stored for a raw API token (the raw token is shown once and never stored)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(ChangeLoggedModel):
    """个人 API 令牌: a machine client acting as its user, stored only as a hash."""

    PREFIX = "kc_"

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    key_prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    expires = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)

    permission_domain: ClassVar[str] = "self"
    scope_fields: ClassVar[dict[str, str]] = {}
    audit_masked_fields: ClassVar[dict[str, str]] = {"key_hash": "secret"}

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, *, expires: Any = None) -> tuple[ApiToken, str]:
        """Create a token for `user`; return it and the raw key, which is shown once and never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_prefix=raw[:10], key_hash=hash_token(raw),
                                   expires=expires)
        return token, raw

    def is_usable(self, at: Any) -> bool:
        """Return whether the token may authenticate a request at time `at`."""
        return self.is_active and self.user.is_active and (self.expires is None or self.expires > at)
