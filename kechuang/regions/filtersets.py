import django_filters
from django.utils.translation import gettext_lazy as _

from kechuang.core.filtersets import BaseFilterSet
from kechuang.regions.choices import RegionKind, RegionLevel
from kechuang.regions.models import Region


class RegionFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "short_name")

    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("层级"))
    kind = django_filters.ChoiceFilter(choices=RegionKind.choices, label=_("类型"))
    within = django_filters.CharFilter(method="filter_within", label=_("所属区划代码"))

    class Meta:
        model = Region
        fields = ("q", "level", "kind", "within")

    def filter_within(self, queryset, name, value):
        """Return the subtree of the region with code `value` (2–12 digits); nothing for an unknown code."""
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            return queryset.none()
        return queryset.filter(code__gte=value.ljust(12, "0"), code__lte=value.ljust(12, "9"))
