"""RestrictedQuerySet: every model's default manager, so every read can be scoped to its user."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from kechuang.core import permissions


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see (NetBox's `restrict()`)."""

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        """Return the rows `user` may `action`: the union of the scopes of the roles that grant it."""
        condition = permissions.scope_q(user, self.model, action)
        if condition is None:
            return self.none()
        if condition == permissions.ALL_ROWS:
            return self.all()
        return self.filter(condition)


class ChangeLoggedQuerySet(RestrictedQuerySet):
    """A restricted queryset whose `update()` and `delete()` write the change log in the same transaction.

    Bulk writers that do not go through the ORM (COPY, executemany) must call
    `kechuang.audit.changelog.log_bulk_changes` themselves.
    """

    def update(self, **kwargs: Any) -> int:
        from kechuang.audit.changelog import log_bulk_changes, snapshot_rows

        with transaction.atomic():
            before = snapshot_rows(self.model, self.select_for_update() if _locks_rows() else self)
            count = super().update(**kwargs)
            after = snapshot_rows(self.model, self.model._base_manager.filter(pk__in=list(before)))
            log_bulk_changes(
                self.model,
                [("update", pk, before[pk], after.get(pk)) for pk in before if before[pk] != after.get(pk)],
            )
        return count

    update.alters_data = True

    def delete(self) -> tuple[int, dict[str, int]]:
        from kechuang.audit.changelog import log_bulk_changes, snapshot_rows

        with transaction.atomic():
            before = snapshot_rows(self.model, self)
            result = super().delete()
            log_bulk_changes(self.model, [("delete", pk, row, None) for pk, row in before.items()])
        return result

    delete.alters_data = True


def _locks_rows() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)
ChangeLoggedManager = models.Manager.from_queryset(ChangeLoggedQuerySet)
