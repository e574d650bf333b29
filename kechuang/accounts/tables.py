import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import RoleAssignment, User
from kechuang.core.tables import BaseTable


class UserTable(BaseTable):
    username = tables.Column(linkify=True)
    phone = tables.Column(verbose_name=_("手机号码"))

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "display_name", "organisation", "phone", "is_active", "last_login")

    def render_phone(self, value):
        from kechuang.core.masking import mask_phone

        return mask_phone(value)

    def value_phone(self, value):
        from kechuang.core.masking import mask_phone

        return mask_phone(value)


class RoleAssignmentTable(BaseTable):
    user = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = RoleAssignment
        fields = ("user", "role", "region", "is_active", "note")
