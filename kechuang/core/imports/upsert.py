"""The bulk write of an import: existing rows read by natural key in chunks, new and changed rows upserted.

PostgreSQL: COPY into a temporary table, then one ``INSERT … SELECT … ON CONFLICT (key) DO UPDATE``.
SQLite: multi-row ``INSERT … VALUES (…), (…) … ON CONFLICT (key) DO UPDATE`` statements (≈ 1,000 rows each).
Both are 7–18× faster than `bulk_create` (PERFORMANCE.md) and set `created` / `last_updated` themselves. The
rows stream in from a generator; the keys of new rows come back without a second read by natural key.

The SQL is assembled from the model's own table and column names (quoted by the backend); every value is a
bound parameter or COPY data, never part of the statement (hence the `noqa: S608`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, NotSupportedError, connections, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.fields import AutoFieldMixin

from kechuang.audit.changelog import sqlite_insert_many

TIMESTAMPS = ("created", "last_updated")
KEY_CHUNK = 2000

# Values of these field types go to the driver as they are (psycopg adapts them, and Django registers sqlite3
# adapters for Decimal and date); the others (JSON, aware datetimes…) go through get_db_prep_save.
_PLAIN_TYPES = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField,
                models.DecimalField, models.DateField)


class Table:
    """What the bulk path needs to know about a model: its data columns, natural key and primary key."""

    def __init__(self, model: type[models.Model], natural_key: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        self.pk = meta.pk
        self.auto_pk = isinstance(meta.pk, AutoFieldMixin)
        self.fields = [f for f in meta.concrete_fields
                       if f.name not in TIMESTAMPS and not (self.auto_pk and f is meta.pk)]
        self.attnames = [f.attname for f in self.fields]
        self.attname_set = frozenset(self.attnames)
        # What is read back for the change log: every column but the timestamps (not audited, slow to convert).
        self.stored_attnames = [f.attname for f in meta.concrete_fields if f.name not in TIMESTAMPS]
        self.key = tuple(meta.get_field(name).attname for name in natural_key)
        self.defaults = {f.attname: f.get_default() for f in self.fields}

    def load(self, keys: Iterable[tuple[Any, ...]], attnames: Sequence[str] | None = None,
             using: str = "default") -> dict[tuple[Any, ...], dict[str, Any]]:
        """Return key → stored row (all columns but the timestamps, or `attnames`) for the rows of `keys`."""
        wanted = set(keys)
        attnames = list(attnames or self.stored_attnames)
        first = self.key[0]
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        firsts = sorted({k[0] for k in wanted}, key=str)
        manager = self.model._base_manager.db_manager(using)
        connection = connections[using]
        # PostgreSQL takes a chunk as one array parameter (`= ANY(%s)`); an IN list of thousands of parameters
        # costs more to bind than to run.
        size = 50_000 if connection.vendor == "postgresql" else KEY_CHUNK
        column = connection.ops.quote_name(self.model._meta.get_field(first).column)
        for start in range(0, len(firsts), size):
            chunk = firsts[start:start + size]
            if connection.vendor == "postgresql":
                condition = RawSQL(f"{column} = ANY(%s)", (chunk,), output_field=models.BooleanField())  # noqa: S611
                queryset = manager.filter(condition)
            else:
                queryset = manager.filter(**{f"{first}__in": chunk})
            for values in queryset.values_list(*attnames):
                row = dict(zip(attnames, values, strict=True))
                key = tuple(row[a] for a in self.key)
                if key in wanted:
                    found[key] = row
        return found


def upsert(table: Table, rows: Iterable[Mapping[str, Any]], *, now: datetime, using: str = "default",
           returning: bool = False) -> dict[tuple[Any, ...], Any]:
    """Insert `rows` (full data rows: every attname of `table`), updating those whose natural key exists.

    `rows` may be a generator: it is consumed once, into the COPY or a statement of ≈ 1,000 rows at a time. With
    `returning`, return natural key → primary key for (at least) every row this call inserted: from the
    statement itself on PostgreSQL (``RETURNING``); on SQLite from the rows above the largest key before the
    insert (the transaction holds SQLite's only write lock, and new keys are always above the old ones).
    Otherwise return an empty dict.
    """
    connection = connections[using]
    meta = table.model._meta
    timestamp_fields = [meta.get_field(name) for name in TIMESTAMPS]
    stamped = tuple(f.get_db_prep_save(now, connection) for f in timestamp_fields)
    values = _db_values(table, rows, stamped, connection)
    first = next(values, None)
    if first is None:
        return {}
    values = chain((first,), values)
    quote = connection.ops.quote_name
    columns = [meta.get_field(a).column for a in table.attnames] + [f.column for f in timestamp_fields]
    key_columns = [meta.get_field(a).column for a in table.key]
    updated = [c for c in columns if c not in key_columns and c != "created"]
    column_list = ", ".join(quote(c) for c in columns)
    conflict = (f"ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) DO UPDATE SET "
                + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updated))
    if connection.vendor == "postgresql":
        back = ", ".join(quote(c) for c in [table.pk.column, *key_columns]) if returning else ""
        return _copy_upsert(connection, quote(meta.db_table), column_list, conflict, values, back)
    if connection.vendor == "sqlite":
        manager = table.model._base_manager.db_manager(using)
        pk = table.pk.attname
        above = manager.aggregate(top=models.Max(pk))["top"] if returning else None
        with connection.cursor() as cursor:
            sqlite_insert_many(cursor, f"INSERT INTO {quote(meta.db_table)} ({column_list}) VALUES", len(columns),
                               values, tail=conflict)
        if not returning:
            return {}
        stored = manager.filter(**{f"{pk}__gt": above}) if above is not None else manager.all()
        return {tuple(keys): key for key, *keys in stored.values_list(pk, *table.key).iterator(10_000)}
    raise NotSupportedError(f"bulk import is not implemented for {connection.vendor}")  # pragma: no cover


def insert_new(table: Table, rows: Sequence[Mapping[str, Any]], *, now: datetime, using: str = "default"
               ) -> dict[tuple[Any, ...], Any]:
    """PostgreSQL: insert `rows`, all new, straight into the table with COPY; return natural key → primary key.

    For rows whose keys no stored row had when the transaction began (an import into a table that was empty).
    The primary keys are drawn from the table's sequence first, so the COPY needs neither a staging table nor
    RETURNING. Should another transaction have stored one of the keys meanwhile, the COPY fails on the unique
    constraint (IntegrityError) and the import is refused whole, never half written.
    """
    if not rows:
        return {}
    connection = connections[using]
    meta = table.model._meta
    quote = connection.ops.quote_name
    timestamp_fields = [meta.get_field(name) for name in TIMESTAMPS]
    stamped = tuple(f.get_db_prep_save(now, connection) for f in timestamp_fields)
    columns = [table.pk.column, *(meta.get_field(a).column for a in table.attnames), *(f.column for f in
                                                                                       timestamp_fields)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [quote(meta.db_table), table.pk.column, len(rows)])
        pks = [pk for (pk,) in cursor.fetchall()]
        with connection.wrap_database_errors, cursor.cursor.copy(  # psycopg's errors as Django's
                f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
            for pk, values in zip(pks, _db_values(table, rows, stamped, connection), strict=True):
                copy.write_row((pk, *values))
    key_of = itemgetter(*table.key) if len(table.key) > 1 else (lambda row: (row[table.key[0]],))
    return dict(zip(map(key_of, rows), pks, strict=True))


def _db_values(table: Table, rows: Iterable[Mapping[str, Any]], stamped: tuple[Any, ...],
               connection: Any) -> Iterator[tuple[Any, ...]]:
    """Yield each row's database values in `table.attnames` order, then the two timestamps."""
    prep = [None if _is_plain(f) else f for f in table.fields]
    if not any(prep):  # every column goes to the driver as it is: one C-level lookup per row
        getter = itemgetter(*table.attnames)
        if len(table.attnames) == 1:
            return ((getter(row), *stamped) for row in rows)
        return (getter(row) + stamped for row in rows)
    pairs = list(zip(table.attnames, prep, strict=True))
    return (tuple(row[a] if field is None else field.get_db_prep_save(row[a], connection) for a, field in pairs)
            + stamped for row in rows)


def check_foreign_keys(table: Table, rows: Callable[[], Iterable[Mapping[str, Any]]], using: str) -> None:
    """Raise IntegrityError unless every foreign key of `rows` (called for an iterable of data rows) exists.

    Foreign keys are deferred to COMMIT, which may be an outer transaction's: checking them now refuses the
    import that wrote a dangling reference instead of failing someone else's commit. PostgreSQL runs its own
    pending checks (``SET CONSTRAINTS ALL IMMEDIATE``: the work COMMIT would do, done earlier). SQLite's
    ``PRAGMA foreign_key_check`` reads the whole table (millions of rows for a few written), so there the values
    written are looked up in the tables they reference, in one statement per foreign key.
    """
    values = foreign_key_values(table, rows()) if connections[using].vendor == "sqlite" else {}
    check_foreign_key_values(table, values, using)


def _foreign_keys(table: Table) -> list[models.ForeignKey]:
    return [f for f in table.fields if isinstance(f, models.ForeignKey) and f.db_constraint]  # one-to-one too


def foreign_key_values(table: Table, rows: Iterable[Mapping[str, Any]]) -> dict[str, set[Any]]:
    """Return attname → the set of values of each enforced foreign key of `table` in `rows` (a sequence)."""
    rows = rows if isinstance(rows, Sequence) else list(rows)
    return {f.attname: set(map(itemgetter(f.attname), rows)) for f in _foreign_keys(table)}


def check_foreign_key_values(table: Table, values: Mapping[str, set[Any]], using: str) -> None:
    """`check_foreign_keys` for values already gathered (`foreign_key_values`); on PostgreSQL they are not needed."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        connection.check_constraints(table_names=[table.model._meta.db_table])
        return
    quote = connection.ops.quote_name
    for field in _foreign_keys(table):
        target = field.target_field
        wanted = {target.get_db_prep_value(value, connection) for value in values.get(field.attname, ())} - {None}
        if not wanted:
            continue
        try:  # one statement: the values go in as one JSON array, SQLite looks each up by the key's index
            array = json.dumps(sorted(wanted, key=str))
        except TypeError:  # pragma: no cover - keys of a type JSON cannot carry: look them up in chunks
            array = None
        if array is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT j.value FROM json_each(%s) AS j WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
                               f"{quote(field.related_model._meta.db_table)} AS p WHERE p.{quote(target.column)} "
                               f"= j.value) LIMIT 5", [array])
                missing = [value for (value,) in cursor.fetchall()]
        else:  # pragma: no cover
            manager = field.related_model._base_manager.db_manager(using)
            ordered, missing = sorted(wanted, key=str), []
            for start in range(0, len(ordered), KEY_CHUNK):
                chunk = ordered[start:start + KEY_CHUNK]
                present = set(manager.filter(**{f"{target.attname}__in": chunk}).values_list(target.attname,
                                                                                                flat=True))
                missing += [value for value in chunk if value not in present]
        if missing:
            raise IntegrityError(f"{table.model._meta.db_table}.{field.column} refers to missing "
                                 f"{field.related_model._meta.db_table} rows: {missing[:5]}")


def _copy_upsert(connection: Any, table: str, column_list: str, conflict: str, values: Iterable[tuple[Any, ...]],
                 returning: str) -> dict[tuple[Any, ...], Any]:
    staging = f"kc_import_{uuid.uuid4().hex[:12]}"
    found: dict[tuple[Any, ...], Any] = {}
    # ON COMMIT DROP needs a transaction around the three statements (in autocommit it would vanish at once).
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # ON COMMIT DROP, and dropped right after use: no staging rows outlive the import (SECURITY.md I1).
        create = f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA"  # noqa: S608
        cursor.execute(create)
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {staging} ({column_list}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        insert = f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging} {conflict}"  # noqa: S608
        if returning:
            cursor.execute(f"{insert} RETURNING {returning}")
            while batch := cursor.fetchmany(10_000):
                found.update((tuple(keys), key) for key, *keys in batch)
        else:
            cursor.execute(insert)
        cursor.execute(f"DROP TABLE {staging}")
    return found


def _is_plain(field: models.Field) -> bool:
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return isinstance(target, _PLAIN_TYPES) and not isinstance(target, models.DateTimeField | models.JSONField)
