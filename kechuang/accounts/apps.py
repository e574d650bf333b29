from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kechuang.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kechuang.accounts.middleware import stamp_login_time

        user_logged_in.connect(stamp_login_time, dispatch_uid="kechuang_stamp_login_time")
