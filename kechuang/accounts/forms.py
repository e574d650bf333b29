"""Forms of the accounts app: login, users and role assignments (explicit fields only, SECURITY.md C5)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import RoleAssignment, User


class LoginForm(AuthenticationForm):
    """Login with one message for every failure, so unknown and known accounts look alike (SECURITY.md A4)."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败 5 次，账号将被锁定 30 分钟。"),
        "inactive": _("用户名或密码不正确。连续失败 5 次，账号将被锁定 30 分钟。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("username", "display_name", "organisation", "phone", "email", "is_active")


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "region", "enterprise", "is_active", "note")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Change one's password; the new one must pass every rule in AUTH_PASSWORD_VALIDATORS (SECURITY.md A2)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
