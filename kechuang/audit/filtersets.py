import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.filtersets import BaseFilterSet


class AuditFilterSet(BaseFilterSet):
    search_fields = ("object_repr", "object_id", "actor_username", "request_id")

    actor = django_filters.CharFilter(field_name="actor_username", lookup_expr="iexact", label=_("操作人账号"))
    since = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte", label=_("起始时间"))
    until = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte", label=_("截止时间"))
    content_type = django_filters.ModelChoiceFilter(queryset=ContentType.objects.order_by("app_label", "model"),
                                                    label=_("对象类型"))


class ObjectChangeFilterSet(AuditFilterSet):
    class Meta:
        model = ObjectChange
        fields = ("q", "actor", "action", "content_type", "since", "until")


class DomainEventFilterSet(AuditFilterSet):
    search_fields = AuditFilterSet.search_fields + ("event_type", "message")

    event_type = django_filters.CharFilter(lookup_expr="startswith", label=_("事件类型"))

    class Meta:
        model = DomainEvent
        fields = ("q", "actor", "event_type", "result", "content_type", "since", "until")
