import django_filters
from django.utils.translation import gettext_lazy as _

from kechuang.core.filtersets import BaseFilterSet
from kechuang.indicators.choices import IndicatorGroup, IndicatorKind, ValueOrigin
from kechuang.indicators.models import Indicator, IndicatorValue


class IndicatorFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "definition")

    group = django_filters.ChoiceFilter(choices=IndicatorGroup.choices, label=_("分组"))
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices, label=_("来源类型"))

    class Meta:
        model = Indicator
        fields = ("q", "group", "kind")


class IndicatorValueFilterSet(BaseFilterSet):
    search_fields = ("indicator__name", "indicator__code", "region__name")

    indicator = django_filters.ModelChoiceFilter(queryset=Indicator.objects.filter(is_active=True),
                                                 label=_("指标"))
    year = django_filters.NumberFilter(label=_("年度"))
    origin = django_filters.ChoiceFilter(choices=ValueOrigin.choices, label=_("来源"))
    within = django_filters.CharFilter(method="filter_within", label=_("区划代码"))
    frozen = django_filters.BooleanFilter(label=_("已冻结"))

    class Meta:
        model = IndicatorValue
        fields = ("q", "indicator", "year", "origin", "within", "frozen")

    def filter_within(self, queryset, name, value):
        """The region subtree of `value` (its significant 2–12 digits); nothing for a malformed code."""
        from kechuang.regions.models import Region

        value = value.strip()
        if not value.isdigit() or len(value) not in (2, 4, 6, 9, 12):
            return queryset.none()
        if len(value) == 12:  # a full code: its region's significant digits (320110000000 is not 32011…)
            region = Region.objects.filter(code=value).first()
            if region is None:
                return queryset.none()
            value = region.prefix
        return queryset.filter(region_id__gte=value.ljust(12, "0"), region_id__lte=value.ljust(12, "9"))
