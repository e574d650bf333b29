"""Indicators (指标), their values by region and period, targets, assessment schemes, red/black lists and
collection rounds. RULES.md §11 defines the R&D statistics; ARCHITECTURE.md "Serving" why dashboards read stored
values rather than aggregating raw rows per request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import ChangeLoggedModel
from kechuang.indicators.choices import (
    Aggregation,
    Band,
    BlackRule,
    Direction,
    Frequency,
    IndicatorGroup,
    IndicatorKind,
    ProgressStatus,
    RoundStatus,
    SubmissionStatus,
    ValueOrigin,
)
from kechuang.indicators.periods import validate_period
from kechuang.indicators.querysets import IndicatorValueQuerySet, TargetQuerySet

FIGURE = {"max_digits": 20, "decimal_places": 4}


def _period_field() -> models.CharField:
    return models.CharField(_("统计期"), max_length=3, blank=True, default="",
                            help_text=_("空为全年；Q1—Q4 为季度累计；M01—M12 为月度累计"))


def _clean_period(instance: Any) -> None:
    try:
        instance.period = validate_period(instance.period)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None


class Indicator(ChangeLoggedModel):
    """指标: one figure a bureau is assessed on or reports (e.g. R&D经费投入强度), with its definition and source."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20)
    group = models.CharField(_("分组"), max_length=16, choices=IndicatorGroup.choices)
    definition = models.TextField(_("定义"), blank=True)
    frequency = models.CharField(_("频率"), max_length=8, choices=Frequency.choices, default=Frequency.YEAR)
    kind = models.CharField(_("来源类型"), max_length=10, choices=IndicatorKind.choices)
    aggregation = models.CharField(_("汇总方式"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices, default=Direction.UP)
    formula = models.CharField(_("计算公式"), max_length=200, blank=True,
                               help_text=_("派生指标：以其他指标代码书写，如 rd_expenditure / gdp * 100"))
    cumulative = models.BooleanField(_("按年累计"), default=False,
                                     help_text=_("自年初累计的流量指标（如成交额、新认定数）适用序时进度"))
    decimals = models.PositiveSmallIntegerField(_("小数位"), default=2)
    source = models.CharField(_("口径来源"), max_length=200, blank=True)
    is_key = models.BooleanField(_("重点指标"), default=False, help_text=_("在领导驾驶舱显示"))
    # 序时进度 by month: twelve cumulative shares of the year (the last is 1); empty = days elapsed.
    schedule_profile = models.JSONField(_("月度进度曲线"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    permission_domain: ClassVar[str] = "reference"
    scope_free: ClassVar[bool] = True  # the catalogue belongs to no region: every reader sees all of it

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ("position", "code")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator_detail", args=[self.pk])

    @property
    def is_percentage(self) -> bool:
        """A percentage changes by 个百分点, not by a growth rate."""
        return self.unit == "%"

    def clean(self) -> None:
        super().clean()
        if self.kind == IndicatorKind.DERIVED and not self.formula:
            raise ValidationError({"formula": _("派生指标必须填写计算公式。")})
        if self.kind != IndicatorKind.DERIVED and self.formula:
            raise ValidationError({"formula": _("只有派生指标才有计算公式。")})
        if self.formula:
            from kechuang.indicators.formula import FormulaError, parse_formula

            try:
                parse_formula(self.formula)
            except FormulaError as error:
                raise ValidationError({"formula": str(error)}) from None
        if self.schedule_profile:
            from kechuang.indicators.progress import ProfileError, check_profile

            try:
                check_profile(self.schedule_profile)
            except ProfileError as error:
                raise ValidationError({"schedule_profile": str(error)}) from None


class IndicatorValue(ChangeLoggedModel):
    """指标值: one indicator's figure for one region and period, with where it came from.

    `as_of` is the data date the figure describes (a computed count "as of" a day; a reported annual figure as of
    31 December). A frozen (已冻结) value is the officially reported one: recomputation leaves it alone.
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="values")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT,
                               related_name="indicator_values")
    year = models.PositiveSmallIntegerField(_("年度"))
    period = _period_field()
    value = models.DecimalField(_("数值"), **FIGURE)
    as_of = models.DateField(_("数据日期"))
    origin = models.CharField(_("来源"), max_length=10, choices=ValueOrigin.choices)
    batch = models.ForeignKey("core.ImportBatch", verbose_name=_("导入批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    collection_round = models.ForeignKey("CollectionRound", verbose_name=_("采集轮次"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    frozen = models.BooleanField(_("已冻结"), default=False)
    frozen_on = models.DateTimeField(_("冻结时间"), null=True, blank=True)

    objects = IndicatorValueQuerySet.as_manager()

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        ordering = ("indicator", "region", "-year", "period")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year", "period"], name="indicatorvalue_unique",
                                    violation_error_message=_("该指标该区域该统计期的数值已存在。")),
        ]
        indexes = [models.Index(fields=["year", "indicator", "region"], name="indicatorvalue_year_idx")]

    def __str__(self) -> str:
        from kechuang.indicators.periods import period_label

        return f"{self.indicator} · {self.region} · {period_label(self.year, self.period)}"

    def clean(self) -> None:
        super().clean()
        _clean_period(self)


class Target(ChangeLoggedModel):
    """目标: the figure a region should reach for an indicator in a year (or by the end of a quarter)."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="targets")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT,
                               related_name="indicator_targets")
    year = models.PositiveSmallIntegerField(_("年度"))
    period = _period_field()
    value = models.DecimalField(_("目标值"), **FIGURE)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = TargetQuerySet.as_manager()

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ("indicator", "region", "-year", "period")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year", "period"], name="target_unique",
                                    violation_error_message=_("该指标该区域该年度的目标已存在。")),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.region} · {self.year}"

    def clean(self) -> None:
        super().clean()
        _clean_period(self)
        if self.value is not None and self.value < 0 and self.indicator_id and self.indicator.unit != "%":
            raise ValidationError({"value": _("目标值不能为负数。")})


class AssessmentScheme(ChangeLoggedModel):
    """考核办法: a weighted basket of indicators the regions under `region` are ranked on in a year."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("regions.Region", verbose_name=_("考核主体"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("对其下级区域进行考核排名"))
    red_count = models.PositiveSmallIntegerField(_("红榜名额"), default=3)
    black_count = models.PositiveSmallIntegerField(_("黑榜名额"), default=3)
    black_rule = models.CharField(_("黑榜规则"), max_length=16, choices=BlackRule.choices, default=BlackRule.BOTTOM_N)
    completion_cap = models.DecimalField(_("完成率封顶"), max_digits=5, decimal_places=2, default=Decimal("1.20"),
                                         validators=[MinValueValidator(Decimal("1"))],
                                         help_text=_("单项完成率超过此值按此值计分，防止单项畸高"))
    description = models.TextField(_("说明"), blank=True)

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("考核办法")
        verbose_name_plural = _("考核办法")
        ordering = ("-year", "code")

    def __str__(self) -> str:
        return self.name


class SchemeItem(ChangeLoggedModel):
    """考核指标及权重."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("考核办法"), on_delete=models.CASCADE,
                               related_name="items")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])

    scope_fields: ClassVar[dict[str, str]] = {"region": "scheme__region"}

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ("scheme", "-weight", "indicator")
        constraints = [models.UniqueConstraint(fields=["scheme", "indicator"], name="schemeitem_unique",
                                               violation_error_message=_("该考核办法已包含此指标。"))]

    def __str__(self) -> str:
        return f"{self.indicator} × {self.weight}"


class RedBlackList(ChangeLoggedModel):
    """红黑榜: a published ranking of the regions under `region` — frozen: its entries never change afterwards."""

    title = models.CharField(_("标题"), max_length=200)
    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("考核办法"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="lists")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("考核主体"), on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("数据截至"))
    published_on = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ("-published_on", "-id")
        constraints = [models.CheckConstraint(
            condition=models.Q(scheme__isnull=True, indicator__isnull=False)
            | models.Q(scheme__isnull=False, indicator__isnull=True),
            name="redblacklist_scheme_xor_indicator",
            violation_error_message=_("红黑榜须且只能基于一个考核办法或一个指标。"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("indicators:redblacklist_detail", args=[self.pk])


class RedBlackEntry(ChangeLoggedModel):
    """One region's line in a published list, written once with its list (bulk, change-logged); never updated."""

    list = models.ForeignKey(RedBlackList, verbose_name=_("红黑榜"), on_delete=models.CASCADE, related_name="entries")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("名次"), null=True)
    tied = models.BooleanField(_("并列"), default=False)
    score = models.DecimalField(_("得分"), max_digits=12, decimal_places=4, null=True)
    completion = models.DecimalField(_("完成率"), max_digits=12, decimal_places=4, null=True)
    schedule = models.DecimalField(_("序时进度"), max_digits=6, decimal_places=4, null=True)
    status = models.CharField(_("进度状态"), max_length=8, choices=ProgressStatus.choices)
    band = models.CharField(_("榜单"), max_length=8, choices=Band.choices, blank=True)
    detail = models.JSONField(_("分项"), default=dict)

    scope_fields: ClassVar[dict[str, str]] = {"region": "list__region"}

    class Meta:
        verbose_name = _("红黑榜条目")
        verbose_name_plural = _("红黑榜条目")
        ordering = ("list", "rank", "region")

    def __str__(self) -> str:
        return f"{self.list} · {self.region}"

    @property
    def position(self) -> int | None:
        return self.rank

    @property
    def status_label(self) -> str:
        return self.get_status_display()


class CollectionRound(ChangeLoggedModel):
    """采集轮次: a call to the regions under `region` to report their figures for a period by a deadline."""

    name = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name=_("发起区域"), on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    period = _period_field()
    indicators = models.ManyToManyField(Indicator, verbose_name=_("采集指标"), related_name="+")
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    change_threshold = models.DecimalField(
        _("变动阈值"), max_digits=5, decimal_places=2, default=Decimal("0.30"),
        help_text=_("与上期相比变动超过此比例时须填写说明（0.30 即 30%）"))

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("采集轮次")
        verbose_name_plural = _("采集轮次")
        ordering = ("-year", "-deadline", "-id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("indicators:collectionround_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        _clean_period(self)


class Submission(ChangeLoggedModel):
    """报送: one region's figures for a round, moving draft → submitted → accepted / returned."""

    collection_round = models.ForeignKey(CollectionRound, verbose_name=_("采集轮次"), on_delete=models.CASCADE,
                                         related_name="submissions")
    region = models.ForeignKey("regions.Region", verbose_name=_("报送区域"), on_delete=models.PROTECT,
                               related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("最近催报"), null=True, blank=True)

    scope_fields: ClassVar[dict[str, str]] = {"region": "region"}

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")
        ordering = ("collection_round", "region")
        constraints = [models.UniqueConstraint(fields=["collection_round", "region"], name="submission_unique",
                                               violation_error_message=_("该区域在本轮已有报送。"))]

    def __str__(self) -> str:
        return f"{self.collection_round} · {self.region}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:submission_detail", args=[self.pk])


class SubmissionItem(ChangeLoggedModel):
    """报送数据项: one indicator's figure in a submission, with the explanation a large change requires."""

    submission = models.ForeignKey(Submission, verbose_name=_("报送"), on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("数值"), **FIGURE)
    explanation = models.CharField(_("变动说明"), max_length=300, blank=True)

    scope_fields: ClassVar[dict[str, str]] = {"region": "submission__region"}

    class Meta:
        verbose_name = _("报送数据项")
        verbose_name_plural = _("报送数据项")
        ordering = ("submission", "indicator")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="submissionitem_unique",
                                               violation_error_message=_("该指标在本次报送中已填写。"))]

    def __str__(self) -> str:
        return f"{self.submission} · {self.indicator}"
