"""Facts from the registry (企业库事实): one enterprise's facts for a data year, in the shared fact vocabulary.

The same builder serves the API, the enterprise self-check page and batch screening, so an enterprise is assessed
on the same facts wherever it is looked at. ``facts_for(enterprise, year, as_of)`` gives one enterprise;
``iter_registry_facts(enterprises, year, as_of)`` streams a whole region subtree with four id-ordered queries
(enterprises, annual figures, qualifications, IP counts) merged in plain Python — never a query per enterprise.

What the facts mean:

* ``year`` is the *data year* (数据年度): the "previous fiscal year" of an application made in ``year + 1``. The
  scalar figures (employees, sales_revenue …) are that year's ``EnterpriseYear`` row.
* A 3-year series (``*_3y``) covers ``year-2 … year``, oldest first; the longer ``*_series`` cover up to six
  years. A series is *shorter* only when the enterprise has fewer operating years (its data starts later and it
  was not registered before that — 按实际经营时间计算); a year missing in the middle, a figure missing in one of
  the years, or history missing for an enterprise registered earlier makes the whole series missing. Nothing is
  ever padded with zeros.
* ``rd_overseas`` = ``rd_expense`` − ``rd_domestic`` per year; ``net_assets`` falls back to ``total_assets`` −
  ``liabilities`` (资产总额 − 负债总额) when the row has no net-assets figure.
* ``class1_ip``/``class2_ip`` are the counts the enterprise reported for the year; when a year has no count, the
  IP register's records of that class granted by ``as_of`` and still valid are counted instead — but only for an
  enterprise that has IP records at all (no records is "not known", not zero).
* ``qualifications`` are the codes of the qualification kinds valid on ``as_of``; ``holds_valid_hnte`` is whether
  ``hnte`` is among them (the register of qualifications is authoritative: not listed means not held).
* A fact the registry does not have is ``None`` — missing, never zero. ``valuation`` and ``equity_funding`` are
  not held by the registry and are always missing here.

Values come typed as the engine's ``Fact.clean`` makes them (Decimal for money and counts, tuples for series,
frozensets for codes), so the bulk path can hand them to ``Programme.assess(..., trusted=True)`` as they are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import is_not
from typing import Any

# Scalar facts of the data year: fact name → EnterpriseYear column.
YEAR_FIGURES: dict[str, str] = {
    "employees": "employees", "tech_staff": "tech_staff", "rd_staff": "rd_staff",
    "sales_revenue": "sales_revenue", "main_revenue": "main_revenue", "total_income": "total_income",
    "hightech_income": "hightech_income", "rd_expense": "rd_expense", "rd_domestic": "rd_expense_domestic",
    "rd_commissioned": "rd_expense_commissioned", "total_cost": "total_cost", "total_assets": "total_assets",
    "liabilities": "liabilities", "net_assets": "net_assets", "profit": "profit", "class1_ip": "ip_class1",
    "class2_ip": "ip_class2", "conversions": "results_converted", "standards_led": "standards_led",
}
COUNT_COLUMNS = frozenset({"employees", "tech_staff", "rd_staff", "ip_class1", "ip_class2", "results_converted",
                           "standards_led"})
# Series: fact name → (yearly figure, years). A figure is a column or one of the derived figures below.
SERIES: dict[str, tuple[str, int]] = {
    "sales_revenue_3y": ("sales_revenue", 3), "rd_expense_3y": ("rd_expense", 3),
    "rd_domestic_3y": ("rd_expense_domestic", 3), "rd_overseas_3y": ("rd_overseas", 3),
    "net_assets_3y": ("net_assets", 3), "conversions_3y": ("results_converted", 3),
    "sales_revenue_series": ("sales_revenue", 6), "employees_series": ("employees", 6),
    "profit_series": ("profit", 6),
}
# Derived yearly figures: name → the columns they are computed from.
DERIVED = {"rd_overseas": ("rd_expense", "rd_expense_domestic"), "net_assets": ("total_assets", "liabilities")}
ENTERPRISE_FACTS: dict[str, str] = {"registered_on": "registered_on", "industry": "industry_code",
                                    "hightech_field": "hightech_field", "listing_status": "listing_status"}
QUALIFICATION_FACTS = ("qualifications", "holds_valid_hnte")
NOT_IN_REGISTRY = ("valuation", "equity_funding")
IP_FACTS = {"class1_ip": "I", "class2_ip": "II"}

REGISTRY_FACTS: tuple[str, ...] = (*YEAR_FIGURES, *SERIES, *ENTERPRISE_FACTS, *QUALIFICATION_FACTS)
ALL_FACTS: tuple[str, ...] = (*REGISTRY_FACTS, *NOT_IN_REGISTRY)


class RegistryFactsError(ValueError):
    """A bad year or date was asked for; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Plan:
    """Which columns to read and which facts to build, for a set of wanted fact names."""

    names: frozenset[str]
    columns: tuple[str, ...]  # EnterpriseYear columns, after (enterprise_id, year)
    first_year_offset: int  # how many years before the data year to read (3 for 3-year series, 6 for 6-year)
    ip_counts: bool

    @classmethod
    def for_names(cls, names: Iterable[str] | None = None) -> Plan:
        wanted = frozenset(REGISTRY_FACTS if names is None else names) & frozenset(REGISTRY_FACTS)
        figures = {YEAR_FIGURES[n] for n in wanted if n in YEAR_FIGURES}
        figures |= {SERIES[n][0] for n in wanted if n in SERIES}
        for derived, sources in DERIVED.items():
            if derived in figures:
                figures.update(sources)
        figures.discard("rd_overseas")  # not a column: computed from its sources
        span = max([SERIES[n][1] for n in wanted if n in SERIES] or [1])
        # One year more than the longest series, so a series that starts late can tell "the enterprise's data
        # starts here" (no row the year before) from "a year is missing".
        return cls(wanted, tuple(sorted(figures)), span, bool(wanted & IP_FACTS.keys()))


def check_year(year: Any, as_of: datetime.date | None = None) -> int:
    """Return ``year`` as a data year; raise RegistryFactsError (field "year") when it cannot be one."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise RegistryFactsError("year", "数据年度应为整数年份（例如 2024）。")
    if not 2000 <= year <= 2100:
        raise RegistryFactsError("year", f"数据年度 {year} 超出范围（2000–2100）。")
    if as_of is not None and year >= as_of.year + 1:
        raise RegistryFactsError("year", f"数据年度 {year} 晚于评估日期 {as_of.isoformat()}：尚无该年度数据。")
    return year


# --- one enterprise ------------------------------------------------------------------------------------------------


def facts_for(enterprise: Any, year: int, as_of: datetime.date, *, names: Iterable[str] | None = None
              ) -> dict[str, Any]:
    """Return the registry's facts of ``enterprise`` for data year ``year`` and qualifications on ``as_of``.

    Every name of the shared vocabulary the registry can give is a key (``None`` = missing); ``names`` limits
    the facts built (and the columns read) to those names.
    """
    from kechuang.enterprises.models import Enterprise

    check_year(year)
    plan = Plan.for_names(names)
    enterprises = Enterprise.objects.filter(pk=enterprise.pk)
    for _pk, facts in iter_registry_facts(enterprises, year, as_of, plan=plan):
        return facts
    raise Enterprise.DoesNotExist(f"enterprise {enterprise.pk} not found")


# --- a region subtree, in bulk ---------------------------------------------------------------------------------------


def iter_registry_facts(enterprises: Any, year: int, as_of: datetime.date, *, names: Iterable[str] | None = None,
                        plan: Plan | None = None, chunk_size: int = 5000, id_range: tuple[int, int] | None = None
                        ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(enterprise id, facts)`` for every enterprise of the queryset ``enterprises``, in id order.

    Four streamed queries — the enterprises, their annual rows of the years needed, their qualifications valid
    on ``as_of`` and (only when IP counts are wanted) their IP register counts — each ordered by enterprise id,
    are merged in Python; memory stays flat however large the subtree.

    ``id_range`` (low, high), inclusive, limits every query to those enterprise ids: the annual rows,
    qualifications and IP records are then read by an index range scan instead of a scan of the whole table
    (batch screening reads a province in slices).
    """
    plan = plan or Plan.for_names(names)
    if id_range is not None:
        enterprises = enterprises.filter(pk__gte=id_range[0], pk__lte=id_range[1])
    ids = enterprises.order_by().values("pk")
    owned = {} if id_range is None else {"enterprise_id__gte": id_range[0], "enterprise_id__lte": id_range[1]}
    rows = _enterprise_rows(enterprises, chunk_size)
    years = _grouped(_year_rows(ids, year, plan, chunk_size, owned))
    held = _grouped(_qualification_rows(ids, as_of, chunk_size, owned))
    ip = _grouped(_ip_rows(ids, as_of, chunk_size, owned)) if plan.ip_counts else iter(())
    builder = _Builder(plan, year)
    next_years, next_held, next_ip = _advance(years), _advance(held), _advance(ip)
    for row in rows:
        pk = row[0]
        year_rows = _take(next_years, years, pk)
        codes = _take(next_held, held, pk)
        counts = _take(next_ip, ip, pk) if plan.ip_counts else None
        yield pk, builder.build(row, year_rows or (), codes or (), counts)


def _enterprise_rows(enterprises: Any, chunk_size: int) -> Iterator[tuple[Any, ...]]:
    return enterprises.order_by("pk").values_list("pk", *ENTERPRISE_FACTS.values()).iterator(chunk_size=chunk_size)


def _year_rows(ids: Any, year: int, plan: Plan, chunk_size: int, owned: dict[str, int]
               ) -> Iterator[tuple[Any, ...]]:
    from kechuang.enterprises.models import EnterpriseYear

    if not plan.columns:
        return iter(())
    return (EnterpriseYear.objects.filter(enterprise_id__in=ids, year__gte=year - plan.first_year_offset,
                                          year__lte=year, **owned)
            .order_by("enterprise_id", "year").values_list("enterprise_id", "year", *plan.columns)
            .iterator(chunk_size=chunk_size))


def _qualification_rows(ids: Any, as_of: datetime.date, chunk_size: int, owned: dict[str, int]
                        ) -> Iterator[tuple[Any, ...]]:
    from kechuang.enterprises.models import Qualification

    return (Qualification.objects.filter(enterprise_id__in=ids, **owned).valid_on(as_of)
            .order_by("enterprise_id").values_list("enterprise_id", "kind__code").iterator(chunk_size=chunk_size))


def _ip_rows(ids: Any, as_of: datetime.date, chunk_size: int, owned: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    """(enterprise id, {class: valid records granted by as_of}) — every enterprise with any IP record."""
    from django.db.models import Count, Q

    from kechuang.enterprises.choices import IPStatus
    from kechuang.enterprises.models import IntellectualProperty

    counted = Q(status=IPStatus.VALID, granted_on__lte=as_of)
    rows = (IntellectualProperty.objects.filter(enterprise_id__in=ids, **owned).order_by("enterprise_id")
            .values("enterprise_id")
            .annotate(class1=Count("pk", filter=counted & Q(ip_class="I")),
                      class2=Count("pk", filter=counted & Q(ip_class="II")))
            .values_list("enterprise_id", "class1", "class2").iterator(chunk_size=chunk_size))
    return ((pk, {"I": c1, "II": c2}) for pk, c1, c2 in rows)


def _grouped(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[Any]]]:
    """Group id-ordered rows ``(id, …)`` into ``(id, [row, …])``."""
    current: int | None = None
    group: list[Any] = []
    for row in rows:
        pk = row[0]
        if pk != current:
            if group:
                yield current, group  # type: ignore[misc]
            current, group = pk, []
        group.append(row)
    if group:
        yield current, group  # type: ignore[misc]


_DONE = (None, None)


def _advance(groups: Iterator[tuple[int, list[Any]]]) -> list[Any]:
    return list(next(groups, _DONE))


def _take(head: list[Any], groups: Iterator[tuple[int, list[Any]]], pk: int) -> list[Any] | None:
    """Return the group of ``pk`` from the id-ordered ``groups`` (``head`` is the next unconsumed group)."""
    while head[0] is not None and head[0] < pk:  # rows of an enterprise outside the list: skip
        head[:] = next(groups, _DONE)
    if head[0] == pk:
        found = head[1]
        head[:] = next(groups, _DONE)
        return found
    return None


_NONES = (None,) * 8  # longer than any series


class _Builder:
    """Turns one enterprise's rows into facts (the plain-Python part of the bulk path, kept tight: it runs
    once per enterprise of a province).

    Each annual row is first *converted* — counts to Decimal, net assets filled from assets − liabilities, the
    derived overseas R&D appended — then the data year's row gives the scalars and the transposed window of
    years gives every series at once.
    """

    def __init__(self, plan: Plan, year: int) -> None:
        self.plan = plan
        self.year = year
        names = plan.names
        index = {column: i + 2 for i, column in enumerate(plan.columns)}
        self.counts = tuple(i for column, i in index.items() if column in COUNT_COLUMNS)
        self.net = (index["net_assets"], index["total_assets"], index["liabilities"]) \
            if "net_assets" in index else None
        self.overseas = (index["rd_expense"], index["rd_expense_domestic"]) if "rd_expense_domestic" in index \
            and "rd_expense" in index else None
        index["rd_overseas"] = len(plan.columns) + 2  # appended by convert()
        self.index = index
        self.scalars = tuple((name, index[column]) for name, column in YEAR_FIGURES.items()
                             if name in names and name not in IP_FACTS)
        self.ip = tuple((name, index[YEAR_FIGURES[name]], klass) for name, klass in IP_FACTS.items() if name in names)
        lengths = sorted({SERIES[name][1] for name in names if name in SERIES})
        self.series = tuple((length, tuple((name, index[SERIES[name][0]]) for name in SERIES
                                           if name in names and SERIES[name][1] == length)) for length in lengths)
        self.attributes = tuple((name, i) for i, name in enumerate(ENTERPRISE_FACTS, start=1) if name in names)
        self.qualifications = "qualifications" in names
        self.hnte = "holds_valid_hnte" in names

    def build(self, enterprise_row: Sequence[Any], year_rows: Sequence[Sequence[Any]], codes: Sequence[Any],
              ip: list[Any] | None) -> dict[str, Any]:
        facts: dict[str, Any] = {name: enterprise_row[i] or None for name, i in self.attributes}
        if self.qualifications or self.hnte:
            held = frozenset([code for _pk, code in codes])
            if self.qualifications:
                facts["qualifications"] = held
            if self.hnte:
                facts["holds_valid_hnte"] = "hnte" in held
        by_year = {row[1]: self.convert(row) for row in year_rows}
        latest = by_year.get(self.year)
        for name, i in self.scalars:
            facts[name] = latest[i] if latest is not None else None
        for name, i, klass in self.ip:
            facts[name] = _ip_count(latest[i] if latest is not None else None, ip, klass)
        if self.series:
            registered_on = enterprise_row[1]
            registered = registered_on.year if registered_on is not None else None
            for length, series in self.series:
                window = self.window(by_year, length, registered)
                if window is None:
                    facts.update((name, None) for name, _i in series)
                    continue
                columns = list(zip(*window, strict=True))
                for name, i in series:
                    column = columns[i]
                    # ``None in column`` would compare Decimal == None (an ABC check per value): test identity.
                    facts[name] = column if all(map(is_not, column, _NONES)) else None
        return facts

    def convert(self, row: Sequence[Any]) -> list[Any]:
        """Return an annual row with counts as Decimal, net assets filled in and overseas R&D appended."""
        values = list(row)
        for i in self.counts:
            if values[i] is not None:
                values[i] = Decimal(values[i])
        if self.net is not None:
            net, assets, liabilities = self.net
            if values[net] is None and values[assets] is not None and values[liabilities] is not None:
                values[net] = values[assets] - values[liabilities]  # 净资产 = 资产总额 − 负债总额
        overseas = None
        if self.overseas is not None:
            total, domestic = values[self.overseas[0]], values[self.overseas[1]]
            if total is not None and domestic is not None:
                overseas = total - domestic
        values.append(overseas)
        return values

    def window(self, by_year: dict[int, Any], length: int, registered: int | None) -> list[Any] | None:
        """Return the rows of the series' years, oldest first, or None when a year that should be there is not."""
        if self.year not in by_year:
            return None
        start = self.year
        while start - 1 > self.year - length and start - 1 in by_year:
            start -= 1
        earliest = self.year - length + 1
        if start > earliest and (min(by_year) < start or (registered is not None and registered < start)):
            return None  # a gap, or an enterprise older than its data: the series is not known
        return [by_year[y] for y in range(start, self.year + 1)]


def _ip_count(reported: Any, ip: list[Any] | None, klass: str) -> Any:
    """The year's reported count; else the register's count for an enterprise with IP records; else missing."""
    if reported is not None:
        return reported
    if ip:
        return Decimal(ip[0][1][klass])
    return None

