"""State changes of the indicator module: catalogue sync, computing and storing figures, entering reported
figures, freezing official figures, and setting targets. Each writes its change log in the same transaction."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.audit.changelog import log_bulk_changes, record_event, snapshot_values
from kechuang.core.permissions import region_in_scope
from kechuang.indicators.choices import Aggregation, IndicatorKind, ValueOrigin
from kechuang.indicators.computations import computation_for, roll_up
from kechuang.indicators.formula import evaluate, operands, parse_formula
from kechuang.indicators.models import Indicator, IndicatorValue, Target
from kechuang.indicators.periods import ANNUAL, period_end, period_label, validate_period
from kechuang.regions.models import Region

CATALOGUE = Path(__file__).parent / "data" / "catalogue.yaml"
QUANTUM = Decimal("0.0001")
LIMIT = Decimal("1e15")  # max_digits 20, 4 places


# --- the catalogue -------------------------------------------------------------------------------------------


@functools.cache
def catalogue_entries() -> tuple[dict[str, Any], ...]:
    """Return the shipped catalogue (data/catalogue.yaml), each entry with its source document's full title."""
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    documents = data["documents"]
    entries = []
    for position, entry in enumerate(data["indicators"], start=1):
        entries.append({**entry, "source": documents[entry["source"]], "position": position * 10})
    return tuple(entries)


def ensure_catalogue() -> int:
    """Create the shipped indicators that do not exist yet, after `migrate` (post_migrate); return how many.

    Like a data migration, this writes reference rows shipped in the code and versioned in git, so it leaves no
    change-log rows; it never changes an existing row, so a bureau's edits survive an upgrade. Updating existing
    rows from a newer catalogue is `kechuang indicators sync`, which is change-logged (docs/decisions/0012).
    """
    existing = set(Indicator._base_manager.values_list("code", flat=True))
    missing = [Indicator(**entry) for entry in catalogue_entries() if entry["code"] not in existing]
    Indicator._base_manager.bulk_create(missing)
    return len(missing)


def sync_catalogue(*, actor: Any = None) -> dict[str, int]:
    """Create or update the shipped indicators (a bureau's own indicators, with other codes, stay untouched)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {indicator.code: indicator for indicator in Indicator.objects.all()}
        for entry in catalogue_entries():
            indicator = existing.get(entry["code"]) or Indicator(code=entry["code"])
            before = {f: getattr(indicator, f) for f in entry}
            for name, value in entry.items():
                setattr(indicator, name, value)
            if indicator.pk and before == {f: getattr(indicator, f) for f in entry}:
                counts["unchanged"] += 1
                continue
            indicator.full_clean()
            counts["updated" if indicator.pk else "created"] += 1
            indicator.save()
    return counts


# --- which regions ---------------------------------------------------------------------------------------------


def regions_to_compute(region_code: str | None) -> list[Region]:
    """Return the regions to compute: the subtree of `region_code`, or of every province that has enterprises."""
    from kechuang.enterprises.models import Enterprise

    if region_code:
        return list(Region.objects.subtree(region_code).exclude(level="village"))
    provinces = sorted({code[:2] for code in Enterprise.objects.values_list("region_id", flat=True)
                        .order_by("region_id").distinct()})
    regions: list[Region] = []
    for prefix in provinces:
        if Region.objects.filter(code=prefix.ljust(12, "0")).exists():
            regions.extend(Region.objects.subtree(prefix).exclude(level="village"))
    return regions


# --- computing ---------------------------------------------------------------------------------------------


@dataclass
class ComputeSummary:
    year: int
    period: str
    as_of: date
    regions: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    frozen_kept: int = 0
    indicators: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "as_of": self.as_of.isoformat()}


def compute_indicators(*, year: int, period: str = ANNUAL, region_code: str | None = None,
                       as_of: date | None = None, codes: Iterable[str] | None = None,
                       actor: Any = None) -> ComputeSummary:
    """Compute every computed indicator (then every derived one) for the regions of `region_code` and store the
    figures. A figure describes min(period end, as_of); frozen figures are kept as they are."""
    period = validate_period(period)
    on = min(period_end(year, period), as_of or timezone.localdate())
    if on < date(year, 1, 1):
        raise ValueError(f"数据日期 {on} 早于 {year} 年，无法计算该年指标。")
    regions = regions_to_compute(region_code)
    keys = [(r.code, r.significant_digits) for r in regions]
    summary = ComputeSummary(year, period, on, regions=len(regions))
    wanted = set(codes) if codes is not None else None
    with transaction.atomic():
        for indicator in Indicator.objects.filter(kind=IndicatorKind.COMPUTED, is_active=True):
            computation = computation_for(indicator.code)
            if computation is None or (wanted is not None and indicator.code not in wanted):
                continue
            if computation.annual_only and period != ANNUAL:
                continue
            figures = roll_up(computation.compute(year, on), keys, computation.scale,
                              ratio=indicator.aggregation == Aggregation.RATIO)
            _add(summary, store_figures(indicator, year, period, on, figures, origin=ValueOrigin.COMPUTED))
            summary.indicators.append(indicator.code)
        for indicator, figures in derive_figures([r.code for r in regions], year, period, wanted=wanted):
            _add(summary, store_figures(indicator, year, period, on, figures, origin=ValueOrigin.DERIVED))
            summary.indicators.append(indicator.code)
        record_event("indicators.computed", message=f"计算指标 {period_label(year, period)}",
                     data=summary.as_dict(), actor=actor)
    return summary


def _add(summary: ComputeSummary, counts: Mapping[str, int]) -> None:
    for key, value in counts.items():
        setattr(summary, key, getattr(summary, key) + value)


def derived_in_order() -> list[Indicator]:
    """Return the active derived indicators, each after the derived indicators its formula reads."""
    derived = {i.code: i for i in Indicator.objects.filter(kind=IndicatorKind.DERIVED, is_active=True)}
    ordered: list[Indicator] = []
    visiting: set[str] = set()

    def visit(code: str) -> None:
        if code in visiting:
            raise ValueError(f"派生指标公式存在循环引用：{code}")
        if code not in derived or derived[code] in ordered:
            return
        visiting.add(code)
        for operand in operands(derived[code].formula):
            visit(operand)
        visiting.discard(code)
        ordered.append(derived[code])

    for code in sorted(derived):
        visit(code)
    return ordered


def derive_figures(region_codes: list[str], year: int, period: str, *,
                   wanted: set[str] | None = None) -> Iterable[tuple[Indicator, dict]]:
    """Yield (derived indicator, {region: figure}) from the stored figures of its operands, in formula order;
    each result is stored before the next formula reads it. `wanted` limits which are computed."""
    for indicator in derived_in_order():
        if wanted is not None and indicator.code not in wanted:
            continue
        names = operands(indicator.formula)
        tree = parse_formula(indicator.formula)
        stored: dict[str, dict[str, Decimal]] = {code: {} for code in region_codes}
        rows = IndicatorValue.objects.filter(indicator__code__in=names, year=year, period=period,
                                             region_id__in=region_codes).values_list(
            "region_id", "indicator__code", "value")
        for region, code, value in rows:
            stored[region][code] = value
        yield indicator, {region: evaluate(tree, stored[region]) for region in region_codes}


def store_figures(indicator: Indicator, year: int, period: str, on: date, figures: Mapping[str, Decimal | None],
                  *, origin: str) -> dict[str, int]:
    """Write `figures` ({region code: value}) of one indicator and period: create, update or delete (a figure
    that became None), keeping frozen rows, with one change-log row per written row."""
    existing = {row.region_id: row for row in IndicatorValue.objects.filter(
        indicator=indicator, year=year, period=period, region_id__in=list(figures))}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "frozen_kept": 0}
    creates, updates, deletes, changes = [], [], [], []
    for region, raw in figures.items():
        value = None if raw is None else Decimal(raw).quantize(QUANTUM)
        row = existing.get(region)
        if row is not None and row.frozen:
            counts["frozen_kept"] += 1
        elif value is None:
            if row is not None:
                deletes.append(row)
        elif row is None:
            creates.append(IndicatorValue(indicator=indicator, region_id=region, year=year, period=period,
                                          value=value, as_of=on, origin=origin))
        elif row.value != value or row.as_of != on or row.origin != origin:
            before = _snapshot(row)
            row.value, row.as_of, row.origin = value, on, origin
            updates.append(row)
            changes.append(("update", row.pk, before, _snapshot(row)))
        else:
            counts["unchanged"] += 1
    now = timezone.now()
    for row in creates:
        row.created = row.last_updated = now
    IndicatorValue.objects.bulk_create(creates, batch_size=1000)
    if updates:
        for row in updates:
            row.last_updated = now
        # the base manager: ChangeLoggedQuerySet.update() would log these rows a second time (logged below)
        IndicatorValue._base_manager.bulk_update(updates, ["value", "as_of", "origin", "last_updated"],
                                                 batch_size=1000)
    if deletes:
        IndicatorValue._base_manager.filter(pk__in=[row.pk for row in deletes]).delete()
    changes += [("create", row.pk, None, _snapshot(row)) for row in creates]
    changes += [("delete", row.pk, _snapshot(row), None) for row in deletes]
    log_bulk_changes(IndicatorValue, changes)
    counts.update(created=len(creates), updated=len(updates), deleted=len(deletes))
    return counts


def _snapshot(row: IndicatorValue) -> dict[str, Any]:
    return snapshot_values(IndicatorValue, {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields})


# --- reported figures ----------------------------------------------------------------------------------------


def _period(period: str) -> str:
    """The period normalised, or a ValidationError naming the field (as every other bad input here)."""
    try:
        return validate_period(period)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None


def parse_figure(raw: Any, field_label: str = "数值") -> Decimal:
    """Return a figure as Decimal, or raise ValidationError with a Chinese message."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except Exception:  # noqa: BLE001 — InvalidOperation and anything else
        raise ValidationError({"value": f"{field_label}“{raw}”不是数字。"}) from None
    if not value.is_finite() or abs(value) >= LIMIT:
        raise ValidationError({"value": f"{field_label}“{raw}”超出允许范围。"})
    return value


def check_reported_value(indicator: Indicator, value: Decimal) -> None:
    """Refuse a figure no statistics office could report for this indicator."""
    if indicator.kind != IndicatorKind.REPORTED:
        raise ValidationError({"indicator": f"“{indicator.name}”为{indicator.get_kind_display()}指标，"
                                            "数值由平台生成，不能录入。"})
    if indicator.unit == "%":
        if indicator.aggregation != "none" and value < 0:
            raise ValidationError({"value": f"“{indicator.name}”不能为负数。"})
        if value > 1000 or value < -100:
            raise ValidationError({"value": f"“{indicator.name}”为百分比，数值 {value} 超出合理范围（-100—1000）。"})
    elif value < 0:
        raise ValidationError({"value": f"“{indicator.name}”不能为负数。"})


def _region_in_scope(user: Any, model: type, region: Region, action: str) -> None:
    if not region_in_scope(user, model, region, action):
        raise PermissionDenied(f"区域“{region.name}”不在您的管辖范围内。")


def enter_value(*, indicator: Indicator, region: Region, year: int, period: str, value: Any, actor: Any,
                note: str = "", origin: str = ValueOrigin.ENTERED, batch: Any = None,
                collection_round: Any = None, check_scope: bool = True) -> IndicatorValue:
    """Record a reported figure (录入) for a region and period, then refresh the derived figures it feeds."""
    period = _period(period)
    figure = parse_figure(value)
    check_reported_value(indicator, figure)
    if check_scope:
        _region_in_scope(actor, IndicatorValue, region, "change")
    with transaction.atomic():
        row = IndicatorValue.objects.select_for_update().filter(
            indicator=indicator, region=region, year=year, period=period).first()
        if row is not None and row.frozen:
            raise ValidationError({"value": f"{period_label(year, period)}“{indicator.name}”已冻结为正式上报数，"
                                            "不能修改。"})
        row = row or IndicatorValue(indicator=indicator, region=region, year=year, period=period)
        row.value, row.as_of, row.origin, row.note = figure.quantize(QUANTUM), period_end(year, period), origin, note
        row.entered_by = actor if getattr(actor, "pk", None) else None
        row.batch, row.collection_round = batch, collection_round
        row.full_clean()
        row.save()
        refresh_derived([region.code], year, period)
    return row


def refresh_derived(region_codes: list[str], year: int, period: str) -> None:
    """Recompute the derived figures of these regions and period (after a reported figure changed)."""
    for indicator, figures in derive_figures(region_codes, year, period):
        store_figures(indicator, year, period, period_end(year, period), figures, origin=ValueOrigin.DERIVED)


def freeze_values(queryset: Any, *, actor: Any) -> int:
    """Freeze figures as officially reported (正式上报): recomputation and entry leave them unchanged."""
    with transaction.atomic():
        rows = list(queryset.filter(frozen=False).select_for_update())
        now = timezone.now()
        for row in rows:
            row.frozen, row.frozen_on = True, now
            row.save(update_fields=["frozen", "frozen_on", "last_updated"])
        if rows:
            record_event("indicators.values.frozen", message=f"冻结 {len(rows)} 个指标值为正式上报数",
                         data={"ids": [row.pk for row in rows][:1000], "count": len(rows)}, actor=actor)
    return len(rows)


# --- targets -------------------------------------------------------------------------------------------------


def set_target(*, indicator: Indicator, region: Region, year: int, value: Any, actor: Any, period: str = ANNUAL,
               note: str = "") -> Target:
    """Set (or change) a region's target; refused outside the actor's scope."""
    period = _period(period)
    figure = parse_figure(value, "目标值")
    _region_in_scope(actor, Target, region, "change")
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(
            indicator=indicator, region=region, year=year, period=period).first() or Target(
            indicator=indicator, region=region, year=year, period=period)
        target.value, target.note = figure, note
        target.full_clean()
        target.save()
    return target


@dataclass(frozen=True)
class Decomposition:
    """A parent's target against the sum of its children's (目标分解校核)."""

    indicator: Indicator
    region: Region
    year: int
    parent: Decimal | None
    parts: list[tuple[Region, Decimal | None]]
    additive: bool

    @property
    def total(self) -> Decimal:
        return sum((value for _r, value in self.parts if value is not None), Decimal(0))

    @property
    def missing(self) -> list[Region]:
        return [region for region, value in self.parts if value is None]

    @property
    def difference(self) -> Decimal | None:
        return None if self.parent is None else self.total - self.parent

    @property
    def warning(self) -> str:
        """A Chinese warning when the parts do not add up (never rescaled silently), else ""."""
        if not self.parts or self.parent is None:
            return ""
        if not self.additive:
            return f"“{self.indicator.name}”不可加总，下级目标之和不作校核，请逐一核对。"
        if self.missing:
            return f"{len(self.missing)} 个下级区域尚未分解目标。"
        if self.difference != 0:
            word = "高于" if self.difference > 0 else "低于"
            return (f"下级目标之和 {self.total.normalize():f} {word}本级目标 {self.parent.normalize():f}，"
                    f"相差 {abs(self.difference).normalize():f}。")
        return ""


def decomposition(indicator: Indicator, region: Region, year: int, *, user: Any = None) -> Decomposition:
    """Return the decomposition check of `region`'s target of `year` over its direct children."""
    targets = Target.objects.filter(indicator=indicator, year=year, period=ANNUAL)
    if user is not None:
        targets = targets.restrict(user, "view")
    children = list(Region.objects.children_of(region.code).order_by("code"))
    by_region = dict(targets.filter(region_id__in=[region.code, *[c.code for c in children]])
                     .values_list("region_id", "value"))
    additive = indicator.aggregation == "sum" and not indicator.is_percentage
    return Decomposition(indicator, region, year, by_region.get(region.code),
                         [(child, by_region.get(child.code)) for child in children], additive)
