"""Reusable reads of indicator values and targets."""

from __future__ import annotations

from datetime import date

from kechuang.core.permissions import region_code_range
from kechuang.core.querysets import ChangeLoggedQuerySet


class IndicatorValueQuerySet(ChangeLoggedQuerySet):
    def in_subtree(self, code: str, significant: int) -> IndicatorValueQuerySet:
        """Return values of the region `code` and every region under it."""
        low, high = region_code_range(code, significant)
        return self.filter(region_id__gte=low, region_id__lte=high)

    def known_on(self, as_of: date) -> IndicatorValueQuerySet:
        """Return values describing data up to `as_of` (a later figure is not known yet on that day)."""
        return self.filter(as_of__lte=as_of)


class TargetQuerySet(ChangeLoggedQuerySet):
    def in_subtree(self, code: str, significant: int) -> TargetQuerySet:
        low, high = region_code_range(code, significant)
        return self.filter(region_id__gte=low, region_id__lte=high)
