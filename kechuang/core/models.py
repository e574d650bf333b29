"""Base models of the framework tier: timestamps, restricted default manager, change logging."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from kechuang.core.imports.choices import ImportStatus
from kechuang.core.querysets import ChangeLoggedManager


class ChangeLoggedModel(models.Model):
    """Abstract base of every domain model: created/updated times, `objects.restrict()`, and one change-log
    row (audit.ObjectChange) per create, update and delete, written in the same transaction.

    Subclasses declare:
    - `permission_domain`: which role grants apply (business, reference, accounts, security, audit);
    - `scope_fields`: how each scope kind reaches the row, e.g. ``{"region": "region"}``;
    - `audit_masked_fields`: field name → masking kind for personal data in the change log;
    - `audit_excluded_fields`: fields not worth a change-log row on their own (e.g. last_login).
    """

    created = models.DateTimeField(_("创建时间"), auto_now_add=True, null=True, editable=False)
    last_updated = models.DateTimeField(_("更新时间"), auto_now=True, null=True, editable=False)

    objects = ChangeLoggedManager()

    permission_domain: ClassVar[str] = "business"
    scope_fields: ClassVar[dict[str, str]] = {}
    audit_masked_fields: ClassVar[dict[str, str]] = {}
    audit_excluded_fields: ClassVar[tuple[str, ...]] = ("created", "last_updated")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from kechuang.audit.changelog import log_change, snapshot_instance, snapshot_loaded

        adding = self._state.adding
        with transaction.atomic(using=kwargs.get("using")):
            before = None if adding else snapshot_loaded(self)
            super().save(*args, **kwargs)
            after = snapshot_instance(self)
            log_change(self, "create" if adding else "update", before, after)
            self._loaded_values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    save.alters_data = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        from kechuang.audit.changelog import log_change, snapshot_instance

        with transaction.atomic(using=kwargs.get("using")):
            before = snapshot_instance(self)
            pk = self.pk
            result = super().delete(*args, **kwargs)
            log_change(self, "delete", before, None, pk=pk)
        return result

    delete.alters_data = True

    @classmethod
    def from_db(cls, db: str, field_names: list[str], values: list[Any]) -> ChangeLoggedModel:
        instance = super().from_db(db, field_names, values)
        # Keep what was loaded, so save() can log "before" without another query.
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance


class ImportBatch(ChangeLoggedModel):
    """导入批次: one completed Excel import — which template, which file (by SHA-256), who, and what it changed.

    Written by `kechuang.core.imports.pipeline.run_import` in the transaction that wrote the rows, together with
    the "import" domain event that audits it; the rows it changed carry their own change-log entries.
    """

    kind = models.CharField(_("导入类型"), max_length=64)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.COMPLETED)
    created_count = models.PositiveIntegerField(_("新增行数"), default=0)
    updated_count = models.PositiveIntegerField(_("更新行数"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="import_batches")
    started = models.DateTimeField(_("开始时间"))
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    permission_domain: ClassVar[str] = "business"

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ("-started", "-id")
        indexes = [models.Index(fields=["kind", "sha256"], name="importbatch_kind_sha256_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename or self.sha256[:12]}"
