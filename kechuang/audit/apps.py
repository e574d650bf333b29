from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kechuang.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from kechuang.audit import receivers  # noqa: F401  (security events: login, lockout, purge flag)
