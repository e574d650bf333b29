"""Writing the change log (变更日志): one ObjectChange per create, update and delete, in the caller's transaction.

Single-object writes go through ChangeLoggedModel.save()/delete(); bulk writers (imports with COPY or
executemany, queryset update/delete) call `log_bulk_changes` with the rows they changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.context import current
from kechuang.core.masking import mask

Snapshot = dict[str, Any]


_ENCODER = DjangoJSONEncoder()
_PLAIN = (str, int, float, bool, type(None))


def _jsonable(values: dict[str, Any]) -> Snapshot:
    """Return `values` as JSON-safe primitives, exactly as DjangoJSONEncoder would write them (Decimal → str,
    date → ISO text …), without a dumps/loads round trip per row (bulk imports snapshot 200,000 rows)."""
    return {k: v if isinstance(v, _PLAIN) else _json_value(v) for k, v in values.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, list | tuple | dict):  # JSON fields: their items may need the encoder too
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return _ENCODER.default(value)


def _audited_fields(model: type[models.Model]) -> list[models.Field]:
    excluded = set(getattr(model, "audit_excluded_fields", ()))
    return [f for f in model._meta.concrete_fields if f.name not in excluded and f.attname not in excluded]


def _masked(model: type[models.Model], values: Snapshot) -> Snapshot:
    for field_name, kind in getattr(model, "audit_masked_fields", {}).items():
        if field_name in values:
            values[field_name] = mask(kind, values[field_name])
    return values


def snapshot_values(model: type[models.Model], raw: dict[str, Any]) -> Snapshot:
    """Return the audited, masked, JSON-safe subset of `raw` (attname → value)."""
    fields = _audited_fields(model)
    return _masked(model, _jsonable({f.attname: raw[f.attname] for f in fields if f.attname in raw}))


def snapshot_instance(instance: models.Model) -> Snapshot:
    """Return the audited values of `instance` as they are in memory now."""
    return snapshot_values(type(instance), {f.attname: getattr(instance, f.attname)
                                            for f in instance._meta.concrete_fields})


def snapshot_loaded(instance: models.Model) -> Snapshot:
    """Return the audited values of `instance` as they were loaded from the database."""
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None:  # built by hand with a pk: read the stored row
        stored = type(instance)._base_manager.filter(pk=instance.pk).values().first() or {}
        loaded = stored
    return snapshot_values(type(instance), loaded)


def snapshot_rows(model: type[models.Model], queryset: models.QuerySet) -> dict[Any, Snapshot]:
    """Return pk → audited snapshot for every row of `queryset` (one query)."""
    attnames = [f.attname for f in model._meta.concrete_fields]
    pk_name = model._meta.pk.attname
    return {row[pk_name]: snapshot_values(model, row) for row in queryset.values(*attnames)}


def _actor_fields() -> dict[str, Any]:
    ctx = current()
    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    return {
        "actor": actor,
        "actor_username": getattr(actor, "username", "") if actor else "",
        "request_id": ctx.request_id,
        "remote_addr": ctx.remote_addr,
        "channel": ctx.channel,
    }


def log_change(instance: models.Model, action: str, before: Snapshot | None, after: Snapshot | None,
               *, pk: Any = None) -> ObjectChange | None:
    """Write one ObjectChange for `instance`; an update that changed no audited field writes nothing."""
    if action == "update" and before == after:
        return None
    return ObjectChange.objects.create(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(pk if pk is not None else instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        before=before,
        after=after,
        **_actor_fields(),
    )


CHANGE_COLUMNS = ("time", "actor_id", "actor_username", "request_id", "remote_addr", "channel",
                  "content_type_id", "object_id", "object_repr", "action", "before", "after")


def log_bulk_changes(model: type[models.Model],
                     changes: Iterable[tuple[str, Any, Snapshot | None, Snapshot | None]],
                     *, object_repr: str = "", batch_size: int = 5000) -> int:
    """Write one ObjectChange per (action, pk, before, after); return how many were written.

    Callers are bulk writers: they must call this inside the same transaction as their write. Rows go in with
    COPY (PostgreSQL) or executemany (SQLite) — no model instances — because the change log of a 200,000-row
    import must not cost more than the import itself.
    """
    from django.db import connections, router
    from django.utils import timezone

    using = router.db_for_write(ObjectChange)
    connection = connections[using]
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False).pk
    common = _actor_fields()
    actor_id = common["actor"].pk if common["actor"] is not None else None
    now = timezone.now()
    prefix = (actor_id, common["actor_username"], common["request_id"], common["remote_addr"], common["channel"],
              content_type)
    dumps = json.dumps

    def rows() -> Iterable[tuple[Any, ...]]:
        for action, pk, before, after in changes:
            yield (now, *prefix, str(pk), (object_repr or f"{model.__name__}:{pk}")[:200], action,
                   None if before is None else dumps(before, ensure_ascii=False),
                   None if after is None else dumps(after, ensure_ascii=False))

    table = connection.ops.quote_name(ObjectChange._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in CHANGE_COLUMNS)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
                    written += 1
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(CHANGE_COLUMNS))})"  # noqa: S608
            batch: list[tuple[Any, ...]] = []
            for row in rows():
                batch.append(row)
                if len(batch) >= batch_size:
                    cursor.executemany(sql, batch)
                    written, batch = written + len(batch), []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
    return written


def record_event(event_type: str, *, obj: models.Model | None = None, result: str = "success",
                 message: str = "", data: dict[str, Any] | None = None, actor: Any = None) -> DomainEvent:
    """Write one DomainEvent (业务事件) for a decision or a security-relevant happening."""
    fields = _actor_fields()
    if actor is not None:
        fields["actor"] = actor if getattr(actor, "pk", None) else None
        fields["actor_username"] = getattr(actor, "username", "")
    return DomainEvent.objects.create(
        event_type=event_type,
        result=result,
        message=message[:500],
        data=data or {},
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        **fields,
    )
