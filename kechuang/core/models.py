"""Base models of the framework tier: timestamps, restricted default manager, change logging."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

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
