"""Reusable reads of the enterprise registry: region subtrees, rungs held on a date, new and expiring."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from kechuang.core.permissions import region_code_range
from kechuang.core.querysets import ChangeLoggedQuerySet

if TYPE_CHECKING:
    from kechuang.enterprises.models import QualificationKind

INACTIVE = ("revoked", "cancelled")


def _subtree_range(code: str) -> tuple[str, str]:
    """Return the code range of a region subtree given a 2/4/6/9-digit prefix or a full 12-digit code."""
    if len(code) == 12:
        from kechuang.regions.models import Region

        region = Region.objects.filter(code=code).first()
        significant = region.significant_digits if region else 12
        return region_code_range(code, significant)
    return region_code_range(code, len(code))


def add_months(day: date, months: int) -> date:
    """Return `day` moved by whole months (clamped to the month's last day)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class QualificationQuerySet(ChangeLoggedQuerySet):
    def valid_on(self, day: date) -> QualificationQuerySet:
        """Return qualifications in force on `day`: inside their validity and not revoked/cancelled by then."""
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).exclude(
            Q(status__in=INACTIVE) & (Q(status_changed_on__isnull=True) | Q(status_changed_on__lte=day)))

    def of_kind(self, code: str) -> QualificationQuerySet:
        return self.filter(kind__code=code)

    def new_in_year(self, year: int) -> QualificationQuerySet:
        """Return qualifications granted in `year` (新认定)."""
        return self.filter(granted_on__year=year)

    def expiring_within(self, months: int, *, as_of: date) -> QualificationQuerySet:
        """Return qualifications in force on `as_of` whose validity ends within `months` months."""
        return self.valid_on(as_of).filter(valid_to__isnull=False, valid_to__lte=add_months(as_of, months))

    def in_region(self, code: str) -> QualificationQuerySet:
        low, high = _subtree_range(code)
        return self.filter(enterprise__region_id__gte=low, enterprise__region_id__lte=high)


class EnterpriseQuerySet(ChangeLoggedQuerySet):
    def in_region(self, code: str) -> EnterpriseQuerySet:
        """Return enterprises in the region subtree `code` (a 2/4/6/9-digit prefix or a 12-digit code)."""
        low, high = _subtree_range(code)
        return self.filter(region_id__gte=low, region_id__lte=high)

    def qualified(self, kind: str | QualificationKind, *, on: date) -> EnterpriseQuerySet:
        """Return enterprises holding a qualification of `kind` in force on `on`.

        `kind` is a kind's code ("hnte") or a QualificationKind; given the kind itself, the subquery filters on
        `kind_id` and needs no join (the list's rung filter has the kind already).
        """
        from kechuang.enterprises.models import Qualification

        of_kind = {"kind__code": kind} if isinstance(kind, str) else {"kind_id": kind.pk}
        held = Qualification.objects.valid_on(on).filter(enterprise=OuterRef("pk"), **of_kind)
        return self.filter(Exists(held))


class EnterpriseYearQuerySet(ChangeLoggedQuerySet):
    def in_region(self, code: str) -> EnterpriseYearQuerySet:
        low, high = _subtree_range(code)
        return self.filter(enterprise__region_id__gte=low, enterprise__region_id__lte=high)
