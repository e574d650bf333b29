from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """材料生成 — the annual work summary (.docx) and the statistical workbook (.xlsx), built from the data."""

    name = "kechuang.reports"
    label = "reports"
    verbose_name = _("材料生成")

    def ready(self) -> None:
        from kechuang.reports import sections  # noqa: F401 — registers the built-in sections
