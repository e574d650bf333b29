"""What the rules engine stores: bureau-defined local programmes, saved assessments and screening runs.

The rules themselves are files (``parameters/*.yaml``, ``rules/*.py``, ``local/*.yaml``); the database holds
only what a bureau adds without code (``LocalProgrammeVersion``) and what was computed and must be replayable
(``SavedAssessment``, ``ScreeningRun`` with its ``ScreeningEntry`` rows, each with the rules version and the
facts used).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.fields import VerbatimJSONField
from kechuang.core.models import ChangeLoggedModel
from kechuang.core.querysets import RestrictedQuerySet


class ScreeningCategory(models.TextChoices):
    """Where an enterprise lands in a screening run (批量筛选)."""

    CANDIDATE = "candidate", _("可申报（符合条件但未持有）")
    RESERVE = "reserve", _("后备库（差距最小）")
    AT_RISK = "at_risk", _("风险（持有但已不符合）")
    HOLDER = "holder", _("持有且符合")
    UNDETERMINED = "undetermined", _("待定（数据缺失）")
    OTHER = "other", _("其他")


class LocalProgrammeVersion(ChangeLoggedModel):
    """地方培育项目版本: a bureau's own programme (e.g. 旭日计划) as data, in force from a date.

    ``definition`` is the same YAML a file in ``kechuang/eligibility/local/`` holds (conditions composed from
    the condition library); a change of rules adds a version with a later ``effective_from`` — old versions
    stay so past assessments can be replayed. ``region`` is the bureau that owns it (its officers see it).
    """

    code = models.SlugField(_("项目代码"), max_length=64)
    label = models.CharField(_("项目名称"), max_length=100)
    effective_from = models.DateField(_("施行日期"))
    definition = models.TextField(_("规则定义（YAML）"))
    source = models.CharField(_("依据文件"), max_length=300)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT,
                               related_name="local_programmes")

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("地方培育项目版本")
        verbose_name_plural = _("地方培育项目版本")
        ordering = ("code", "-effective_from")
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="localprogramme_code_date_uniq",
                                               violation_error_message=_("同一项目在同一施行日期只能有一个版本。"))]

    def __str__(self) -> str:
        return f"{self.label}（{self.effective_from:%Y-%m-%d} 起）"


class SavedAssessment(ChangeLoggedModel):
    """保存的评估: one assessment an officer or enterprise user chose to keep, replayable from its facts."""

    programme = models.CharField(_("评价项目"), max_length=64)
    rules_version = models.CharField(_("规则版本"), max_length=120)
    as_of = models.DateField(_("评估日期"))
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="saved_assessments")
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT,
                               related_name="+")
    eligible = models.BooleanField(_("是否符合"), null=True)
    facts = models.JSONField(_("评估所用事实"))
    result = models.JSONField(_("评估结果"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    scope_fields: ClassVar[dict[str, str]] = {"region": "region", "enterprise": "enterprise"}

    class Meta:
        verbose_name = _("保存的评估")
        verbose_name_plural = _("保存的评估")
        ordering = ("-created", "-id")

    def __str__(self) -> str:
        return f"{self.programme} {self.as_of:%Y-%m-%d}"


class ScreeningRun(ChangeLoggedModel):
    """筛选批次: one batch screening of a programme over a region subtree for a year.

    Written in bulk with its entries and audited by its "screening" domain event (like an ImportBatch); it
    records the rules version so the run can be replayed against the facts stored with each entry.
    """

    programme = models.CharField(_("评价项目"), max_length=64)
    rules_version = models.CharField(_("规则版本"), max_length=120)
    year = models.PositiveSmallIntegerField(_("数据年度"))
    as_of = models.DateField(_("评估日期"))
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    started = models.DateTimeField(_("开始时间"))
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)
    enterprise_count = models.PositiveIntegerField(_("参与筛选企业数"), default=0)
    counts = models.JSONField(_("各类数量"), default=dict)

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("筛选批次")
        verbose_name_plural = _("筛选批次")
        ordering = ("-started", "-id")

    def __str__(self) -> str:
        return f"{self.programme} {self.year}（{self.region_id}）"


class ScreeningEntry(models.Model):
    """筛选结果: one enterprise in a screening run — category, score, total shortfall and the facts used.

    Its Chinese texts ("未满足条件与差距") are worded from the facts when shown (``screening.RunWording``).

    Derived output, written in bulk with its run (audited by the run's event, not row by row).
    """

    # No database foreign keys and no index of their own (decision 0011, part 4): a province's run writes
    # ~460,000 entries at once, and the deferred check of two constraints per row cost more than the COPY. The
    # run is created in the same transaction and the enterprises are those it has just read; deletes go through
    # Django, which still applies CASCADE and PROTECT. Entries are only ever read by run: the (run, category,
    # rank) index serves every page and export.
    run = models.ForeignKey(ScreeningRun, verbose_name=_("筛选批次"), on_delete=models.CASCADE,
                            related_name="entries", db_constraint=False, db_index=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+", db_constraint=False, db_index=False)
    category = models.CharField(_("类别"), max_length=16, choices=ScreeningCategory.choices)
    eligible = models.BooleanField(_("是否符合"), null=True)
    holds_rung = models.BooleanField(_("是否持有"), default=False)
    score_low = models.DecimalField(_("得分（下限）"), max_digits=7, decimal_places=2, null=True)
    score_high = models.DecimalField(_("得分（上限）"), max_digits=7, decimal_places=2, null=True)
    failed_count = models.PositiveSmallIntegerField(_("未满足条件数"), default=0)
    gap = models.DecimalField(_("差距（越小越接近）"), max_digits=16, decimal_places=4, null=True)
    rank = models.PositiveIntegerField(_("排名"), null=True)
    # NULL: worded when shown or exported, by replaying ``facts`` under the run's rules (``RunWording``);
    # runs screened before that (decision 0011) keep the texts they stored.
    summary = models.JSONField(_("未满足条件与差距"), null=True, blank=True, default=None)
    # Written once, read whole for replay: kept as written (``json``, not ``jsonb``; decision 0011, part 4).
    facts = VerbatimJSONField(_("所用事实"), default=dict)

    objects = RestrictedQuerySet.as_manager()

    permission_domain: ClassVar[str] = "business"
    scope_fields: ClassVar[dict[str, str]] = {"region": "enterprise__region", "enterprise": "enterprise"}

    class Meta:
        verbose_name = _("筛选结果")
        verbose_name_plural = _("筛选结果")
        ordering = ("run", "category", "rank", "id")
        indexes = [models.Index(fields=["run", "category", "rank"], name="screeningentry_run_cat_rank")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.enterprise_id} {self.category}"
