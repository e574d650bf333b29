from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "kechuang.enterprises"
    label = "enterprises"
    verbose_name = _("企业库")

    def ready(self) -> None:
        # The `enterprises` demo step, and the dashboard cards.
        from kechuang.core.imports.registry import register
        from kechuang.enterprises import demo, widgets  # noqa: F401
        from kechuang.enterprises.imports import SCHEMAS

        register(*SCHEMAS.values())  # background import tasks find their schema by kind
