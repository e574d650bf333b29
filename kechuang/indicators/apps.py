from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """指标考核 — indicator catalogue, values, targets, progress, collection rounds and red/black lists."""

    name = "kechuang.indicators"
    label = "indicators"
    verbose_name = _("指标考核")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kechuang.indicators import computations, demo, widgets  # noqa: F401 — computations, demo step, cards

        post_migrate.connect(_sync_catalogue, sender=self)


def _sync_catalogue(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """Create the shipped indicators (data/catalogue.yaml) missing from the database after every migrate."""
    from kechuang.indicators.services import ensure_catalogue

    ensure_catalogue()
