from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    """资格预审 — the rules engine: dated parameters, programme formulas, assessment and screening."""

    name = "kechuang.eligibility"
    label = "eligibility"
    verbose_name = _("资格预审")

    def ready(self) -> None:
        from kechuang.eligibility import checks  # noqa: F401 — registers the parameter-tree system check
        from kechuang.eligibility.rules import load_all

        load_all()
