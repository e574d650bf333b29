from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "kechuang.regions"
    label = "regions"
    verbose_name = _("行政区划")

    def ready(self) -> None:
        from kechuang.regions import widgets  # noqa: F401  (dashboard cards)
