from kechuang.core import views as generic
from kechuang.regions.filtersets import RegionFilterSet
from kechuang.regions.forms import RegionForm
from kechuang.regions.models import Region
from kechuang.regions.tables import RegionTable


class RegionListView(generic.ObjectListView):
    model = Region
    filterset_class = RegionFilterSet
    table_class = RegionTable


class RegionExportView(generic.ObjectExportView):
    model = Region
    filterset_class = RegionFilterSet
    table_class = RegionTable


class RegionDetailView(generic.ObjectDetailView):
    model = Region


class RegionCreateView(generic.ObjectCreateView):
    model = Region
    form_class = RegionForm


class RegionEditView(generic.ObjectEditView):
    model = Region
    form_class = RegionForm


class RegionDeleteView(generic.ObjectDeleteView):
    model = Region
