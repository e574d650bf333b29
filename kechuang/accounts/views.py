"""Views of the accounts app: login/logout, and the user and role-assignment admin pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy

from kechuang.accounts.filtersets import RoleAssignmentFilterSet, UserFilterSet
from kechuang.accounts.forms import LoginForm, PasswordChangeForm, RoleAssignmentForm, UserForm
from kechuang.accounts.models import RoleAssignment, User
from kechuang.accounts.tables import RoleAssignmentTable, UserTable
from kechuang.core import views as generic
from kechuang.core.policy import AUTHENTICATED, PUBLIC, policy


@policy(PUBLIC)
def login_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(
        template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
    )(request)


@policy(AUTHENTICATED)
def password_change_view(request: HttpRequest) -> HttpResponse:
    return auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", form_class=PasswordChangeForm,
        success_url=reverse_lazy("core:home"),
    )(request)


@policy(AUTHENTICATED)
def logout_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


class UserListView(generic.ObjectListView):
    model = User
    filterset_class = UserFilterSet
    table_class = UserTable


class UserExportView(generic.ObjectExportView):
    model = User
    filterset_class = UserFilterSet
    table_class = UserTable


class UserDetailView(generic.ObjectDetailView):
    model = User
    detail_fields = ("username", "display_name", "organisation", "email", "is_active", "last_login", "date_joined")


class UserCreateView(generic.ObjectCreateView):
    model = User
    form_class = UserForm


class UserEditView(generic.ObjectEditView):
    model = User
    form_class = UserForm


class RoleAssignmentListView(generic.ObjectListView):
    model = RoleAssignment
    filterset_class = RoleAssignmentFilterSet
    table_class = RoleAssignmentTable


class RoleAssignmentDetailView(generic.ObjectDetailView):
    model = RoleAssignment


class RoleAssignmentCreateView(generic.ObjectCreateView):
    model = RoleAssignment
    form_class = RoleAssignmentForm


class RoleAssignmentEditView(generic.ObjectEditView):
    model = RoleAssignment
    form_class = RoleAssignmentForm


class RoleAssignmentDeleteView(generic.ObjectDeleteView):
    model = RoleAssignment
