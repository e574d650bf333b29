"""The enterprise registry (企业库): enterprises, their annual figures, IP and qualifications (the ladder)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import ChangeLoggedModel
from kechuang.core.uscc import validate_uscc
from kechuang.enterprises.annual import annual_problems
from kechuang.enterprises.choices import (
    HighTechField,
    IPClass,
    IPStatus,
    IPType,
    ListingStatus,
    Ownership,
    QualificationLevel,
    QualificationStatus,
    ValidityRule,
    ip_class_of,
)
from kechuang.enterprises.industry import section_of
from kechuang.enterprises.querysets import EnterpriseQuerySet, EnterpriseYearQuerySet, QualificationQuerySet

NON_NEGATIVE = [MinValueValidator(0)]


def money(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A money amount in 万元 (ten thousand yuan), two decimals, never float (STYLE.md §11)."""
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, null=True, blank=True, **kwargs)


def count(verbose_name: Any) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose_name, null=True, blank=True)


class Enterprise(ChangeLoggedModel):
    """企业: one legal entity, keyed by its unified social credit code (统一社会信用代码)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    former_names = models.JSONField(_("曾用名"), default=list, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区域"), on_delete=models.PROTECT,
                               related_name="+")
    park = models.ForeignKey("regions.Region", verbose_name=_("所在园区"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    registered_on = models.DateField(_("成立日期"), null=True, blank=True)
    registered_capital = money(_("注册资本（万元）"), validators=NON_NEGATIVE)
    ownership = models.CharField(_("登记注册类型"), max_length=16, choices=Ownership.choices, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=4, blank=True,
                                     help_text=_("GB/T 4754-2017 大类（2 位）或中类/小类（3–4 位）代码"))
    industry_section = models.CharField(_("行业门类"), max_length=1, blank=True, editable=False)
    hightech_field = models.CharField(_("高新技术领域"), max_length=2, choices=HighTechField.choices, blank=True)
    listing_status = models.CharField(_("上市情况"), max_length=16, choices=ListingStatus.choices,
                                      default=ListingStatus.UNLISTED)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)

    objects = EnterpriseQuerySet.as_manager()

    scope_fields: ClassVar[dict[str, str]] = {"region": "region", "enterprise": "pk"}
    audit_masked_fields: ClassVar[dict[str, str]] = {"contact_phone": "phone", "contact_name": "name"}

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ("name", "id")  # the id breaks ties between equal names, so pages are stable
        indexes = [models.Index(fields=["region", "name"], name="enterprise_region_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.industry_code and section_of(self.industry_code) is None:
            raise ValidationError({"industry_code": _("行业代码不在 GB/T 4754-2017 的大类范围内。")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.industry_section = section_of(self.industry_code) or ""
        super().save(*args, **kwargs)


class EnterpriseYear(ChangeLoggedModel):
    """企业年度数据: one enterprise's figures for one year; money in 万元; the source says where it came from."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    employees = count(_("职工总数"))
    tech_staff = count(_("科技人员数"))
    rd_staff = count(_("研发人员数"))
    sales_revenue = money(_("销售收入（万元）"), validators=NON_NEGATIVE)
    main_revenue = money(_("主营业务收入（万元）"), validators=NON_NEGATIVE)
    total_income = money(_("总收入（万元）"), validators=NON_NEGATIVE)
    hightech_income = money(_("高新技术产品（服务）收入（万元）"), validators=NON_NEGATIVE)
    rd_expense = money(_("研发费用总额（万元）"), validators=NON_NEGATIVE)
    rd_expense_domestic = money(_("其中：境内研发费用（万元）"), validators=NON_NEGATIVE)
    rd_expense_commissioned = money(_("其中：委托研发费用（万元）"), validators=NON_NEGATIVE)
    total_cost = money(_("成本费用支出总额（万元）"), validators=NON_NEGATIVE)
    total_assets = money(_("资产总额（万元）"), validators=NON_NEGATIVE)
    liabilities = money(_("负债总额（万元）"), validators=NON_NEGATIVE)
    net_assets = money(_("净资产（万元）"))
    profit = money(_("利润总额（万元）"))
    tax_paid = money(_("上缴税费（万元）"), validators=NON_NEGATIVE)
    exports = money(_("出口额（万元）"), validators=NON_NEGATIVE)
    ip_class1 = count(_("Ⅰ类知识产权数"))
    ip_class2 = count(_("Ⅱ类知识产权数"))
    results_converted = count(_("科技成果转化数"))
    standards_led = count(_("主持制定标准数"))
    # Where the figures came from: "import:<batch id>" for an import, "user:<username>" for a form edit.
    source = models.CharField(_("数据来源"), max_length=100, blank=True)

    objects = EnterpriseYearQuerySet.as_manager()

    scope_fields: ClassVar[dict[str, str]] = {"region": "enterprise__region", "enterprise": "enterprise"}

    class Meta:
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        ordering = ("enterprise", "-year")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterpriseyear_one_per_year",
                                    violation_error_message=_("该企业该年度的数据已存在。")),
        ]
        indexes = [models.Index(fields=["year", "enterprise"], name="enterpriseyear_year_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.year}"

    def clean(self) -> None:
        super().clean()
        problems = annual_problems({f.name: getattr(self, f.attname) for f in self._meta.concrete_fields})
        if problems:
            raise ValidationError({field: message for field, message in problems})


class IntellectualProperty(ChangeLoggedModel):
    """知识产权: a patent, software copyright, variety … held by an enterprise; its class (Ⅰ/Ⅱ) is derived."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="ip_rights")
    ip_type = models.CharField(_("类型"), max_length=20, choices=IPType.choices)
    ip_class = models.CharField(_("类别"), max_length=2, choices=IPClass.choices, blank=True, editable=False)
    number = models.CharField(_("登记号/专利号"), max_length=64)
    title = models.CharField(_("名称"), max_length=200)
    applied_on = models.DateField(_("申请日"), null=True, blank=True)
    granted_on = models.DateField(_("授权日"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=IPStatus.choices, default=IPStatus.VALID)

    scope_fields: ClassVar[dict[str, str]] = {"region": "enterprise__region", "enterprise": "enterprise"}

    class Meta:
        verbose_name = _("知识产权")
        verbose_name_plural = _("知识产权")
        ordering = ("enterprise", "-granted_on")
        constraints = [
            models.UniqueConstraint(fields=["ip_type", "number"], name="ip_type_number_unique",
                                    violation_error_message=_("同类型同号码的知识产权已存在。")),
        ]

    def __str__(self) -> str:
        return f"{self.get_ip_type_display()} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.ip_class = ip_class_of(self.ip_type)
        super().save(*args, **kwargs)


class QualificationKind(ChangeLoggedModel):
    """资质类型: a rung of the ladder (科小, 高企, 专精特新, 瞪羚 …) or a local programme a bureau adds."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=16, choices=QualificationLevel.choices)
    validity_rule = models.CharField(_("有效期规则"), max_length=16, choices=ValidityRule.choices)
    validity_years = models.PositiveSmallIntegerField(_("有效年数"), null=True, blank=True)
    number_pattern = models.CharField(_("编号格式（正则）"), max_length=200, blank=True)
    rung = models.PositiveSmallIntegerField(_("梯队层级"), default=50,
                                            help_text=_("在创新梯队漏斗中的顺序，数字越小越靠前"))
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    permission_domain: ClassVar[str] = "reference"
    scope_fields: ClassVar[dict[str, str]] = {}

    class Meta:
        verbose_name = _("资质类型")
        verbose_name_plural = _("资质类型")
        ordering = ("rung", "code")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(validity_rule="years") | models.Q(validity_years__gt=0),
                name="qualificationkind_years_rule_has_years",
                violation_error_message=_("按年数计算有效期时必须填写有效年数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def valid_until(self, valid_from: date) -> date | None:
        """Return the last valid day of a qualification of this kind starting on `valid_from`."""
        if self.validity_rule == ValidityRule.CALENDAR_YEAR:
            return date(valid_from.year, 12, 31)
        if self.validity_rule == ValidityRule.YEARS_FROM_GRANT:
            end = _add_years(valid_from, self.validity_years or 0)
            return date.fromordinal(end.toordinal() - 1)
        return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Qualification(ChangeLoggedModel):
    """资质: an enterprise's recognition of one kind (e.g. a 高企 certificate), with its validity and status."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="qualifications")
    kind = models.ForeignKey(QualificationKind, verbose_name=_("资质类型"), on_delete=models.PROTECT,
                             related_name="qualifications")
    number = models.CharField(_("证书/入库编号"), max_length=64, blank=True)
    granted_on = models.DateField(_("认定日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    batch = models.CharField(_("批次"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=QualificationStatus.choices,
                              default=QualificationStatus.VALID)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_reason = models.CharField(_("状态变更原因"), max_length=200, blank=True)

    objects = QualificationQuerySet.as_manager()

    scope_fields: ClassVar[dict[str, str]] = {"region": "enterprise__region", "enterprise": "enterprise"}

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ("enterprise", "kind", "-valid_from")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], condition=~models.Q(number=""),
                                    name="qualification_kind_number_unique",
                                    violation_error_message=_("该资质类型下已有相同编号。")),
            models.UniqueConstraint(fields=["enterprise", "kind", "valid_from"],
                                    name="qualification_enterprise_kind_from_unique",
                                    violation_error_message=_("该企业同一资质同一起始日期的记录已存在。")),
            models.CheckConstraint(condition=models.Q(valid_to__isnull=True) | models.Q(
                valid_to__gte=models.F("valid_from")), name="qualification_valid_range",
                violation_error_message=_("有效期止不能早于有效期起。")),
        ]
        indexes = [
            models.Index(fields=["kind", "valid_from", "valid_to"], name="qualification_validity_idx"),
            # "Does this enterprise hold this kind today?" (the list's rung filter, EnterpriseQuerySet.qualified)
            # answered from the index alone, once per enterprise of the region: no table lookups.
            models.Index(fields=["enterprise", "kind", "valid_from", "valid_to", "status", "status_changed_on"],
                         name="qualification_held_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.kind}"

    def clean(self) -> None:
        super().clean()
        import re

        if self.kind_id and self.number and self.kind.number_pattern and not re.fullmatch(
                self.kind.number_pattern, self.number):
            raise ValidationError({"number": _("编号格式不符合该资质类型的要求。")})
        if self.status in (QualificationStatus.REVOKED, QualificationStatus.CANCELLED) and not self.status_reason:
            raise ValidationError({"status_reason": _("撤销或取消资质必须填写原因。")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.valid_to is None and self.kind_id and self.valid_from:
            self.valid_to = self.kind.valid_until(self.valid_from)
        super().save(*args, **kwargs)


__all__ = ["Enterprise", "EnterpriseYear", "IntellectualProperty", "Qualification",
           "QualificationKind"]
