"""Audit records (审计记录): the change log of every write and the domain events of every decision.

Both tables are append-only: the ORM refuses update and delete, and on PostgreSQL a trigger refuses
UPDATE, DELETE and TRUNCATE (migration 0002; SECURITY.md D3).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.audit.choices import ChangeAction, EventResult
from kechuang.core.querysets import RestrictedQuerySet


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit record."""


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self) -> Any:
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class AuditRecord(models.Model):
    """Fields every audit record shares: when, who, from where, under which request."""

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No database foreign key: deleting a user must never touch the audit trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, blank=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    permission_domain: ClassVar[str] = "audit"
    scope_fields: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True
        ordering = ("-time", "-id")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class ObjectChange(AuditRecord):
    """变更日志: one create, update or delete of one object, with its values before and after."""

    action = models.CharField(_("操作"), max_length=16, choices=ChangeAction.choices)
    before = models.JSONField(_("变更前"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("变更后"), null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta(AuditRecord.Meta):
        verbose_name = _("变更日志")
        verbose_name_plural = _("变更日志")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_change_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return reverse("audit:objectchange_detail", args=[self.pk])

    @property
    def changed_fields(self) -> list[str]:
        """Return the names of the fields whose value differs between before and after."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class DomainEvent(AuditRecord):
    """业务事件: a decision or a security-relevant happening (login, lockout, import, export, denial)."""

    event_type = models.CharField(_("事件类型"), max_length=64, db_index=True)
    result = models.CharField(_("结果"), max_length=16, choices=EventResult.choices, default=EventResult.SUCCESS)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta(AuditRecord.Meta):
        verbose_name = _("业务事件")
        verbose_name_plural = _("业务事件")

    def __str__(self) -> str:
        return f"{self.event_type} {self.object_repr}".strip()

    def get_absolute_url(self) -> str:
        return reverse("audit:domainevent_detail", args=[self.pk])
