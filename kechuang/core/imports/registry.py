"""Import schemas by kind, so a background task can find the schema an upload was made for."""

from __future__ import annotations

from kechuang.core.imports.schema import ImportSchema

_schemas: dict[str, ImportSchema] = {}


def register(*schemas: ImportSchema) -> None:
    for schema in schemas:
        _schemas[schema.kind] = schema


def schema_for(kind: str) -> ImportSchema:
    """Return the registered schema of `kind` (KeyError for an unknown kind)."""
    return _schemas[kind]
