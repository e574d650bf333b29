"""Tables of the enterprise registry: one per model, shared by the list page and its export.

Contact names and phones are masked in both (SECURITY.md H2). Related rows a column needs are loaded with the
page (select_related / one prefetch), never one query per row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from kechuang.core.masking import mask_name, mask_phone
from kechuang.core.tables import BaseTable
from kechuang.enterprises.industry import divisions
from kechuang.enterprises.models import (
    Enterprise,
    EnterpriseYear,
    IntellectualProperty,
    Qualification,
    QualificationKind,
)


def rd_ratio_percent(rd_expense: Decimal | None, sales_revenue: Decimal | None) -> Decimal | None:
    """Return R&D expense as a percentage of sales revenue (研发费用占销售收入比例), one decimal; None when
    either is missing or revenue is zero. (The 高企 test uses this ratio, 国科发火〔2016〕32号 第十一条(五).)"""
    if rd_expense is None or not sales_revenue:
        return None
    return (rd_expense * 100 / sales_revenue).quantize(Decimal("0.1"))


def industry_label(code: str) -> str:
    """Return `6513 软件和信息技术服务业`: the code with its division's name."""
    if not code:
        return ""
    division = divisions().get(code[:2])
    return f"{code} {division.name}" if division else code


def rung_kinds(enterprise: Enterprise) -> list[QualificationKind]:
    """Return the kinds an enterprise holds, from the `rungs_today` prefetch, each kind once, by rung."""
    seen: dict[int, QualificationKind] = {}
    for qualification in getattr(enterprise, "rungs_today", ()):
        seen.setdefault(qualification.kind_id, qualification.kind)
    return sorted(seen.values(), key=lambda k: (k.rung, k.code))


def with_rungs(enterprises: QuerySet, on: date) -> QuerySet:
    """Return `enterprises` with the qualifications they hold on `on` prefetched as `rungs_today`."""
    held = Qualification.objects.valid_on(on).select_related("kind")
    return enterprises.prefetch_related(Prefetch("qualifications", queryset=held, to_attr="rungs_today"))


class RelatedRowsTable(BaseTable):
    """A table that loads the related rows its columns show together with its own (`related`)."""

    related: tuple[str, ...] = ()

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if isinstance(data, QuerySet) and self.related:
            data = data.select_related(*self.related)
        super().__init__(data, *args, **kwargs)


def enterprise_link(record: Any) -> str:
    return reverse("enterprises:enterprise_detail", args=[record.enterprise_id])


class EnterpriseTable(RelatedRowsTable):
    related = ("region",)

    name = tables.Column(linkify=True)
    industry_code = tables.Column(verbose_name=_("行业"))
    rungs = tables.Column(verbose_name=_("当前资质"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = Enterprise
        fields = ("name", "uscc", "region", "industry_code", "hightech_field", "rungs", "contact_name",
                  "contact_phone")

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if isinstance(data, QuerySet):
            data = with_rungs(data, timezone.localdate())
        super().__init__(data, *args, **kwargs)

    def render_industry_code(self, value: str) -> str:
        return industry_label(value)

    def render_rungs(self, record: Enterprise) -> str:
        return format_html_join(" ", '<span class="badge rounded-pill text-bg-primary fw-normal">{}</span>',
                                ((kind.name,) for kind in rung_kinds(record)))

    def value_rungs(self, record: Enterprise) -> str:
        return "、".join(kind.name for kind in rung_kinds(record))

    def render_contact_name(self, value: str) -> str:
        return mask_name(value)

    def render_contact_phone(self, value: str) -> str:
        return mask_phone(value)

    value_industry_code = render_industry_code
    value_contact_name = render_contact_name
    value_contact_phone = render_contact_phone


class EnterpriseYearTable(RelatedRowsTable):
    related = ("enterprise",)

    enterprise = tables.Column(linkify=enterprise_link)
    year = tables.Column(linkify=lambda record: reverse("enterprises:enterpriseyear_detail", args=[record.pk]))
    rd_ratio = tables.Column(verbose_name=_("研发费用占比（%）"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = EnterpriseYear
        fields = ("enterprise", "year", "employees", "tech_staff", "sales_revenue", "rd_expense", "rd_ratio",
                  "hightech_income", "ip_class1", "ip_class2", "source")

    def render_rd_ratio(self, record: EnterpriseYear) -> Any:
        ratio = rd_ratio_percent(record.rd_expense, record.sales_revenue)
        return "—" if ratio is None else ratio

    def value_rd_ratio(self, record: EnterpriseYear) -> Any:
        return rd_ratio_percent(record.rd_expense, record.sales_revenue)


class IntellectualPropertyTable(RelatedRowsTable):
    related = ("enterprise",)

    number = tables.Column(
        linkify=lambda record: reverse("enterprises:intellectualproperty_detail", args=[record.pk]))
    enterprise = tables.Column(linkify=enterprise_link)

    class Meta(BaseTable.Meta):
        model = IntellectualProperty
        fields = ("number", "title", "enterprise", "ip_type", "ip_class", "applied_on", "granted_on", "status")


class QualificationTable(RelatedRowsTable):
    related = ("enterprise", "kind")

    enterprise = tables.Column(linkify=enterprise_link)
    kind = tables.Column(linkify=lambda record: reverse("enterprises:qualification_detail", args=[record.pk]))

    class Meta(BaseTable.Meta):
        model = Qualification
        fields = ("enterprise", "kind", "number", "granted_on", "valid_from", "valid_to", "batch", "status")


class RerecognitionDueTable(RelatedRowsTable):
    """高企 due for re-recognition: who, where, which certificate, and when it runs out."""

    related = ("enterprise__region", "kind")

    enterprise = tables.Column(linkify=enterprise_link)
    uscc = tables.Column(accessor="enterprise__uscc", verbose_name=_("统一社会信用代码"))
    region = tables.Column(accessor="enterprise__region", verbose_name=_("所在区域"))
    number = tables.Column(
        linkify=lambda record: reverse("enterprises:qualification_detail", args=[record.pk]))
    days_left = tables.Column(verbose_name=_("距到期（天）"), accessor="valid_to", orderable=False)

    class Meta(BaseTable.Meta):
        model = Qualification
        fields = ("enterprise", "uscc", "region", "number", "granted_on", "valid_to", "days_left")
        order_by = ("valid_to",)

    def render_days_left(self, value: date) -> Any:
        days = (value - timezone.localdate()).days
        return days if days >= 0 else _("已到期 %(n)s 天") % {"n": -days}


class QualificationKindTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = QualificationKind
        fields = ("rung", "code", "name", "level", "validity_rule", "validity_years", "basis", "is_active")
