import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.tables import BaseTable


class ObjectChangeTable(BaseTable):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", linkify=True)
    changed = tables.Column(accessor="changed_fields", verbose_name=_("变更字段"), orderable=False)

    class Meta(BaseTable.Meta):
        model = ObjectChange
        fields = ("time", "actor_username", "action", "content_type", "object_id", "object_repr", "changed",
                  "request_id")

    def render_changed(self, value):
        return "、".join(value[:6]) + (" …" if len(value) > 6 else "")

    def value_changed(self, value):
        return ",".join(value)


class DomainEventTable(BaseTable):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", linkify=True)

    class Meta(BaseTable.Meta):
        model = DomainEvent
        fields = ("time", "actor_username", "event_type", "result", "object_repr", "message", "remote_addr",
                  "request_id")
