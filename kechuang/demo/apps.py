from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "kechuang.demo"
    label = "demo"
    verbose_name = _("演示数据")

    def ready(self) -> None:
        from kechuang.demo import steps  # noqa: F401  (registers the foundation's demo steps)
