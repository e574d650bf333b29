import django_filters
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import RoleAssignment, User
from kechuang.accounts.roles import Role
from kechuang.core.filtersets import BaseFilterSet


class UserFilterSet(BaseFilterSet):
    search_fields = ("username", "display_name", "organisation")

    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="role_assignments__role", label=_("角色"),
                                       distinct=True)

    class Meta:
        model = User
        fields = ("q", "role", "is_active")


class RoleAssignmentFilterSet(BaseFilterSet):
    search_fields = ("user__username", "user__display_name", "region__name")

    class Meta:
        model = RoleAssignment
        fields = ("q", "role", "is_active")
