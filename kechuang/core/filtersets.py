"""Base FilterSet: a free-text `q` over the model's `search_fields`, plus Bootstrap-styled widgets."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _


class BaseFilterSet(django_filters.FilterSet):
    """Every model's FilterSet derives from this; lists, exports, API lists and dashboards share it."""

    search_fields: ClassVar[tuple[str, ...]] = ()

    q = django_filters.CharFilter(method="search", label=_("关键词"))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Return rows where any of `search_fields` contains `value`."""
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
