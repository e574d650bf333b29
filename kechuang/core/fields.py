"""Model fields shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class VerbatimJSONField(models.JSONField):
    """A JSONField kept as the text written: PostgreSQL ``json`` rather than ``jsonb`` (other databases: as JSONField).

    For write-once records that are read whole and never queried inside — e.g. the facts a screening entry was
    assessed on (decision 0011, part 4). PostgreSQL only checks the text instead of converting it to ``jsonb``,
    which took about a third of the COPY of a province's screening entries, and keeps the text as written (key
    order included). Key, containment and index lookups on such a field are not supported: use JSONField for data
    queried inside.
    """

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is not None and not isinstance(value, str):
            return value  # psycopg parses ``json`` itself (Django keeps only ``jsonb`` as text)
        return super().from_db_value(value, expression, connection)
