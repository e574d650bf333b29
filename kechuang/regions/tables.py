import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kechuang.core.tables import BaseTable
from kechuang.regions.models import Region


class RegionTable(BaseTable):
    code = tables.Column(linkify=True, verbose_name=_("区划代码"))
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("上级"))

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "name", "short_name", "level", "kind", "parent")
