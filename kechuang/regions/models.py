"""Regions (行政区划): the tree every record hangs from, keyed by the 12-digit statistical code."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import ChangeLoggedModel
from kechuang.core.permissions import region_code_range
from kechuang.core.querysets import ChangeLoggedQuerySet
from kechuang.regions.choices import SIGNIFICANT_DIGITS, RegionKind, RegionLevel

region_code_validator = RegexValidator(r"^\d{12}$", _("区划代码应为 12 位数字。"))


def normalize_region_code(code: str) -> str:
    """Return `code` (2, 4, 6, 9 or 12 digits) zero-padded to the 12-digit statistical code."""
    text = str(code).strip()
    if not text.isdigit() or len(text) not in (2, 4, 6, 9, 12):
        raise ValueError(f"区划代码“{code}”应为 2、4、6、9 或 12 位数字。")
    return text.ljust(12, "0")


def level_of_code(code: str) -> str:
    """Return the level a 12-digit code denotes by its trailing zeros (村 → 乡 → 县 → 地 → 省)."""
    if code[9:] != "000":
        return RegionLevel.VILLAGE
    if code[6:9] != "000":
        return RegionLevel.TOWNSHIP
    if code[4:6] != "00":
        return RegionLevel.COUNTY
    if code[2:4] != "00":
        return RegionLevel.CITY
    return RegionLevel.PROVINCE


class RegionQuerySet(ChangeLoggedQuerySet):
    def subtree(self, code: str) -> RegionQuerySet:
        """Return the region `code` and everything under it."""
        region = Region.objects.get(code=normalize_region_code(code))
        low, high = region_code_range(region.code, region.significant_digits)
        return self.filter(code__gte=low, code__lte=high)

    def children_of(self, code: str | None) -> RegionQuerySet:
        """Return the direct children of `code` (the provinces when `code` is None)."""
        return self.filter(parent_id=code) if code else self.filter(parent__isnull=True)


class Region(ChangeLoggedModel):
    """A division of the administrative tree (省/市/县/乡) or a park a bureau manages like one (开发区/园区)."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True, validators=[region_code_validator])
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    kind = models.CharField(_("类型"), max_length=32, choices=RegionKind.choices, default=RegionKind.ADMINISTRATIVE)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RegionQuerySet.as_manager()

    permission_domain: ClassVar[str] = "reference"
    scope_fields: ClassVar[dict[str, str]] = {"region": "code"}

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ("code",)
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("code")),
                name="region_not_own_parent",
                violation_error_message=_("区划不能以自身为上级。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:region_detail", args=[self.code])

    @property
    def significant_digits(self) -> int:
        """Return how many leading digits of the code identify this region (2, 4, 6, 9 or 12)."""
        return SIGNIFICANT_DIGITS[RegionLevel(self.level)]

    @property
    def prefix(self) -> str:
        """Return the significant prefix of the code: the key of this region's subtree."""
        return self.code[: self.significant_digits]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.parent_id and self.code and not self.code.startswith(
            self.parent_id[: SIGNIFICANT_DIGITS[RegionLevel(self.parent.level)]]
        ):
            raise ValidationError({"parent": _("区划代码必须以上级区划的代码开头。")})
        if self.kind == RegionKind.ADMINISTRATIVE and self.code and self.level != level_of_code(self.code):
            raise ValidationError({"level": _("层级与区划代码不符。")})

    def ancestors(self) -> list[Region]:
        """Return the chain from the province down to this region's parent."""
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))
