from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    """Levels of the 12-digit statistical division code (统计用区划代码) and how many digits are significant."""

    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


SIGNIFICANT_DIGITS = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class RegionKind(models.TextChoices):
    """Administrative divisions, and the non-administrative areas a bureau manages as if they were."""

    ADMINISTRATIVE = "administrative", _("行政区")
    DEVELOPMENT_ZONE = "development_zone", _("开发区")
    PARK = "park", _("园区")
