"""Tables of the enterprise registry: one per model, shared by the list page and its export.

Contact names and phones are masked in both (SECURITY.md H2). Related rows a column needs are loaded with the
page (select_related / one prefetch), never one query per row.

The enterprise list is the busiest page of a province's register, so its table fetches a page by primary key
(`PageByKeyData`) and renders its rows in Python (`FastRowsTable`); the other tables are plain django-tables2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import django_tables2 as tables
from django.db import connections
from django.db.models import Count, Prefetch, QuerySet, Subquery, Window
from django.db.models.sql import Query
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

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
    """Return `enterprises` with the qualifications they hold on `on` prefetched as `rungs_today` (one query for
    the page; unordered, since `rung_kinds` sorts: Qualification's default ordering would join the
    enterprises again to sort by their names)."""
    held = (Qualification.objects.valid_on(on).select_related("kind").order_by()
            .only("enterprise", "kind__name", "kind__rung", "kind__code"))
    return enterprises.prefetch_related(Prefetch("qualifications", queryset=held, to_attr="rungs_today"))


def rung_badges(enterprise: Enterprise) -> SafeString:
    return format_html_join(" ", '<span class="badge rounded-pill text-bg-primary fw-normal">{}</span>',
                            ((kind.name,) for kind in rung_kinds(enterprise)))


def filtered_by_subquery(node: Any) -> bool:
    """Return whether a query's WHERE tree holds a subquery (EXISTS … or a subquery comparison)."""
    if isinstance(node, Subquery | Query):
        return True
    parts = [*getattr(node, "children", ()), getattr(node, "lhs", None), getattr(node, "rhs", None)]
    return any(filtered_by_subquery(part) for part in parts if part is not None)


class PageByKeyData(TableQuerysetData):
    """Table data that fetches a page in two short queries: the page's primary keys in the table's order, then
    those rows by primary key (with the queryset's filters, select_related and prefetches, so the scope still
    applies).

    The first query reads only the columns it filters and sorts on, so the database sorts narrow index entries
    rather than whole rows: SQLite sorts a city's 75,000 enterprises by name from the (region, name) index in
    about 10 ms, where sorting the full rows took 180 ms.

    Counting is QuerySet.count(), except on SQLite when a subquery filters the rows (the rung, size and figure
    filters): there `count_with_page` fetches the page's keys and the total in one pass (COUNT(*) OVER ()).
    SQLite has neither hash joins nor parallel scans, so every candidate row costs one subquery probe, and a
    separate count would pay for all of them twice (≈ 130 ms each for a city's 75,000 enterprises). Without a
    subquery the separate count reads the index alone and is cheaper than the window's materialisation.
    """

    _page: tuple[int, int, list[Any]] | None = None

    def count_with_page(self, start: int, stop: int) -> int | None:
        """Fetch the keys of rows [start:stop) together with the total, and return the total; return None
        (fetching nothing) when this does not pay, or when the slice is empty."""
        queryset = self.data
        if (connections[queryset.db].vendor != "sqlite" or queryset.query.distinct
                or not filtered_by_subquery(queryset.query.where)):
            return None  # (a window counts rows before DISTINCT removes any)
        rows = list(queryset.prefetch_related(None).annotate(_total=Window(Count("pk")))
                    .values_list("pk", "_total")[start:stop])
        if not rows:
            return None
        self._length = rows[0][1]
        self._page = (start, stop, [pk for pk, _total in rows])
        return self._length

    def _keys(self, key: slice) -> list[Any]:
        if self._page is not None:
            start, stop, keys = self._page
            if key.start == start and key.stop in (stop, min(stop, self._length or 0)):
                return keys
        return list(self.data.prefetch_related(None).values_list("pk", flat=True)[key])

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, slice):
            return super().__getitem__(key)
        keys = self._keys(key)
        if not keys:
            return []
        rows = {row.pk: row for row in self.data.order_by().filter(pk__in=keys)}
        return [rows[pk] for pk in keys if pk in rows]


class RelatedRowsTable(BaseTable):
    """A table that loads the related rows its columns show together with its own (`related`)."""

    related: tuple[str, ...] = ()

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if isinstance(data, QuerySet) and self.related:
            data = data.select_related(*self.related)
        super().__init__(data, *args, **kwargs)


def enterprise_link(record: Any) -> str:
    return reverse("enterprises:enterprise_detail", args=[record.enterprise_id])


class FastRowsTable(RelatedRowsTable):
    """A table whose page of rows is rendered in Python, one string per row (template
    `enterprises/fast_table.html`); the header, sorting and pagination stay django-tables2's.

    django-tables2 renders each cell through attribute merging, signature inspection and template nodes: about
    0.1 ms a cell, 40–50 ms for a page of 50 rows × 8 columns. `cells` maps a column name to a function of the
    record returning the cell's text (escaped here) or safe HTML; an empty result shows the column's default
    (—) as django-tables2 would, and a column without an entry renders the generic way. Cell `attrs` are not
    applied: give such a column no entry in `cells`. A test compares both renderings cell by cell.
    """

    cells: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    class Meta(BaseTable.Meta):
        template_name = "enterprises/fast_table.html"

    def rows_html(self) -> SafeString:
        """Return the <tr> rows of the current page (all rows when the table is not paginated)."""
        columns = [(column.name, self.cells.get(column.name), column.column.empty_values, column.default)
                   for column in self.columns]
        rows = []
        for index, row in enumerate(self.paginated_rows):
            tds = []
            for name, cell, empty_values, default in columns:
                if cell is None:
                    tds.append(conditional_escape(row.get_cell(name)))
                    continue
                value = cell(row.record)
                if value in empty_values:
                    value = default
                elif not isinstance(value, str):  # numbers and dates as the template would show them
                    value = localize(template_localtime(value))
                tds.append(conditional_escape(value))
            parity = "odd" if index % 2 else "even"
            rows.append(f'<tr class="{parity}"><td>' + "</td><td>".join(tds) + "</td></tr>")
        if not rows and self.empty_text:
            rows.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text))
        return mark_safe("\n".join(rows))  # noqa: S308 — every cell is escaped above


def enterprise_name_link(enterprise: Enterprise) -> SafeString:
    return format_html('<a href="{}">{}</a>', enterprise.get_absolute_url(), enterprise.name)


class EnterpriseTable(FastRowsTable):
    related = ("region",)

    # Every sort ends on the primary key, so that pages never overlap or skip rows with equal values.
    name = tables.Column(linkify=True, order_by=("name", "pk"))
    uscc = tables.Column()
    region = tables.Column(order_by=("region", "name", "pk"))
    industry_code = tables.Column(verbose_name=_("行业"), order_by=("industry_code", "name", "pk"))
    hightech_field = tables.Column(order_by=("hightech_field", "name", "pk"))
    rungs = tables.Column(verbose_name=_("当前资质"), empty_values=(), orderable=False)
    contact_name = tables.Column(order_by=("contact_name", "name", "pk"))
    contact_phone = tables.Column(order_by=("contact_phone", "name", "pk"))

    cells: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "name": enterprise_name_link,
        "uscc": lambda e: e.uscc,
        "region": lambda e: e.region,
        "industry_code": lambda e: industry_label(e.industry_code),
        "hightech_field": lambda e: e.get_hightech_field_display(),
        "rungs": rung_badges,
        "contact_name": lambda e: mask_name(e.contact_name),
        "contact_phone": lambda e: mask_phone(e.contact_phone),
    }

    class Meta(FastRowsTable.Meta):
        model = Enterprise
        fields = ("name", "uscc", "region", "industry_code", "hightech_field", "rungs", "contact_name",
                  "contact_phone")

    # The columns the table shows (and sorts on): the page loads these alone.
    loaded = ("name", "uscc", "region__name", "industry_code", "hightech_field", "contact_name", "contact_phone")

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if isinstance(data, QuerySet):
            rows = data.select_related(*self.related).only(*self.loaded)
            data = PageByKeyData(with_rungs(rows, timezone.localdate()))
        super().__init__(data, *args, **kwargs)

    def render_industry_code(self, value: str) -> str:
        return industry_label(value)

    def render_rungs(self, record: Enterprise) -> str:
        return rung_badges(record)

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
