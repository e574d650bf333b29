import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kechuang.core.tables import BaseTable
from kechuang.indicators.models import Indicator, IndicatorValue


class IndicatorTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Indicator
        fields = ("code", "name", "unit", "group", "kind", "aggregation", "frequency", "source")


class IndicatorValueTable(BaseTable):
    indicator = tables.Column(linkify=True)
    region = tables.Column(verbose_name=_("区域"))
    period = tables.Column(verbose_name=_("统计期"), empty_values=())

    class Meta(BaseTable.Meta):
        model = IndicatorValue
        fields = ("indicator", "region", "year", "period", "value", "as_of", "origin", "frozen", "note")

    def render_period(self, value, record):
        from kechuang.indicators.periods import period_label

        return period_label(record.year, record.period)
