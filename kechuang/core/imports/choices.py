from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    """How an import batch ended (a refused or failed import writes no batch: it wrote nothing)."""

    COMPLETED = "completed", _("已完成")
    DUPLICATE = "duplicate", _("重复导入")  # the same file as an earlier batch of the same kind: nothing changed
