"""Saved report versions (报告版本), generated-document records (生成记录) and a bureau's sentence templates."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import ChangeLoggedModel


def _template_choices() -> list[tuple[str, str]]:
    from kechuang.reports.phrasing import default_templates

    return [(key, entry["label"]) for key, entry in default_templates().items()]


class SentenceTemplate(ChangeLoggedModel):
    """句式模板: a bureau's own wording of one sentence; the nearest region's text wins over the default."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("句式"), max_length=40, choices=_template_choices)
    text = models.CharField(_("模板文本"), max_length=500)

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("句式模板")
        verbose_name_plural = _("句式模板")
        ordering = ("region", "key")
        constraints = [models.UniqueConstraint(fields=["region", "key"], name="sentencetemplate_unique",
                                               violation_error_message=_("该区域已有此句式的模板。"))]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_key_display()}"

    def clean(self) -> None:
        super().clean()
        from kechuang.reports.phrasing import TemplateError, check_template

        if self.key and self.text:
            try:
                check_template(self.key, self.text)
            except TemplateError as error:
                raise ValidationError({"text": str(error)}) from None


class ReportVersion(ChangeLoggedModel):
    """报告版本: a saved draft of the annual summary for a region and year — built, then edited by an officer."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("数据截至"))
    number = models.PositiveIntegerField(_("版本号"))
    content = models.JSONField(_("内容"))
    content_hash = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    note = models.CharField(_("版本说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("保存人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("报告版本")
        verbose_name_plural = _("报告版本")
        ordering = ("region", "-year", "-number")
        constraints = [models.UniqueConstraint(fields=["region", "year", "number"], name="reportversion_unique",
                                               violation_error_message=_("该版本号已存在。"))]

    def __str__(self) -> str:
        return f"{self.region} {self.year} 年工作总结 · 第 {self.number} 版"

    def get_absolute_url(self) -> str:
        return reverse("reports:version_detail", args=[self.pk])

    def report(self) -> Any:
        from kechuang.reports.content import Report

        return Report.from_json(self.content)


class DocumentKind(models.TextChoices):
    ANNUAL_DOCX = "annual_docx", _("年度工作总结（Word）")
    WORKBOOK_XLSX = "workbook_xlsx", _("统计工作簿（Excel）")


class GeneratedDocument(ChangeLoggedModel):
    """生成记录: who generated which document, for which region, year and data date, and its content hash —
    generating again with the same as-of date gives the same hash (reproducibility)."""

    kind = models.CharField(_("类型"), max_length=16, choices=DocumentKind.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("数据截至"))
    version = models.ForeignKey(ReportVersion, verbose_name=_("报告版本"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="documents")
    content_hash = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("渠道"), max_length=10, default="web")
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("生成记录")
        verbose_name_plural = _("生成记录")
        ordering = ("-created", "-id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.region} · {self.year}"
