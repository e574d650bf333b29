"""The audit administrator's pages (审计管理员): search and export the change log and the domain events."""

from kechuang.audit.filtersets import DomainEventFilterSet, ObjectChangeFilterSet
from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.audit.tables import DomainEventTable, ObjectChangeTable
from kechuang.core import views as generic


class ObjectChangeListView(generic.ObjectListView):
    model = ObjectChange
    filterset_class = ObjectChangeFilterSet
    table_class = ObjectChangeTable


class ObjectChangeExportView(generic.ObjectExportView):
    model = ObjectChange
    filterset_class = ObjectChangeFilterSet
    table_class = ObjectChangeTable


class ObjectChangeDetailView(generic.ObjectDetailView):
    model = ObjectChange
    template_name = "audit/objectchange_detail.html"


class DomainEventListView(generic.ObjectListView):
    model = DomainEvent
    filterset_class = DomainEventFilterSet
    table_class = DomainEventTable


class DomainEventExportView(generic.ObjectExportView):
    model = DomainEvent
    filterset_class = DomainEventFilterSet
    table_class = DomainEventTable


class DomainEventDetailView(generic.ObjectDetailView):
    model = DomainEvent
