from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kechuang.core"
    label = "core"
    verbose_name = _("核心框架")

    def ready(self) -> None:
        from kechuang.core import checks  # noqa: F401  (deployment checks)
