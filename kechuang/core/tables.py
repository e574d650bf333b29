"""Base Table (django-tables2): the one definition a list page, its export and its dashboard counts share."""

from __future__ import annotations

import django_tables2 as tables


class BaseTable(tables.Table):
    """Every model's Table derives from this; `exclude_from_export` names columns that are UI only."""

    exclude_from_export: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        template_name = "django_tables2/bootstrap5.html"
