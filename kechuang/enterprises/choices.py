"""Choices of the enterprise registry (企业库)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Ownership(models.TextChoices):
    """登记注册类型, simplified to the kinds a bureau reports on."""

    STATE = "state", _("国有企业")
    COLLECTIVE = "collective", _("集体企业")
    PRIVATE = "private", _("民营企业")
    HK_MACAO_TAIWAN = "hmt", _("港澳台商投资企业")
    FOREIGN = "foreign", _("外商投资企业")
    OTHER = "other", _("其他")


class HighTechField(models.TextChoices):
    """《国家重点支持的高新技术领域》 (annex to 国科发火〔2016〕32号): the eight top-level fields."""

    ELECTRONICS = "1", _("电子信息")
    BIOMEDICINE = "2", _("生物与新医药")
    AEROSPACE = "3", _("航空航天")
    NEW_MATERIALS = "4", _("新材料")
    HIGHTECH_SERVICES = "5", _("高技术服务")
    NEW_ENERGY = "6", _("新能源与节能")
    RESOURCES_ENVIRONMENT = "7", _("资源与环境")
    ADVANCED_MANUFACTURING = "8", _("先进制造与自动化")


class ListingStatus(models.TextChoices):
    UNLISTED = "unlisted", _("未上市")
    NEEQ = "neeq", _("新三板挂牌")
    MAIN_BOARD = "main", _("主板上市")
    STAR = "star", _("科创板上市")
    CHINEXT = "chinext", _("创业板上市")
    BSE = "bse", _("北交所上市")
    OVERSEAS = "overseas", _("境外上市")


class IPType(models.TextChoices):
    """Kinds of intellectual property; the class (Ⅰ/Ⅱ) follows RULES.md §1.3 (same split as 高企)."""

    INVENTION = "invention", _("发明专利")
    DEFENCE_PATENT = "defence_patent", _("国防专利")
    PLANT_VARIETY = "plant_variety", _("植物新品种")
    CROP_VARIETY = "crop_variety", _("国家级农作物品种")
    NEW_DRUG = "new_drug", _("国家新药")
    TCM_PROTECTED = "tcm_protected", _("国家一级中药保护品种")
    IC_LAYOUT = "ic_layout", _("集成电路布图设计专有权")
    UTILITY_MODEL = "utility_model", _("实用新型专利")
    DESIGN = "design", _("外观设计专利")
    SOFTWARE_COPYRIGHT = "software", _("软件著作权")
    TRADEMARK = "trademark", _("商标")


# RULES.md §1.3: Ⅰ类 and Ⅱ类 知识产权; trademarks never count.
IP_CLASS_I = frozenset({IPType.INVENTION, IPType.DEFENCE_PATENT, IPType.PLANT_VARIETY, IPType.CROP_VARIETY,
                        IPType.NEW_DRUG, IPType.TCM_PROTECTED, IPType.IC_LAYOUT})
IP_CLASS_II = frozenset({IPType.UTILITY_MODEL, IPType.DESIGN, IPType.SOFTWARE_COPYRIGHT})


class IPClass(models.TextChoices):
    CLASS_I = "I", _("Ⅰ类")
    CLASS_II = "II", _("Ⅱ类")
    NONE = "", _("不计类别")


def ip_class_of(ip_type: str) -> str:
    """Return the class (Ⅰ/Ⅱ/none) of an IP type."""
    if ip_type in IP_CLASS_I:
        return IPClass.CLASS_I
    if ip_type in IP_CLASS_II:
        return IPClass.CLASS_II
    return IPClass.NONE


class IPStatus(models.TextChoices):
    PENDING = "pending", _("申请中")
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("失效")
    TRANSFERRED = "transferred", _("已转让")


class QualificationLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")


class ValidityRule(models.TextChoices):
    """How long a qualification lasts once granted."""

    YEARS_FROM_GRANT = "years", _("自发证之日起若干年")
    CALENDAR_YEAR = "calendar_year", _("当年有效")
    UNTIL_REVOKED = "until_revoked", _("长期有效（至撤销）")


class QualificationStatus(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")
    CANCELLED = "cancelled", _("已取消")


class SizeBand(models.TextChoices):
    """Size bands by employees, for filtering (the legal size class needs the industry table, RULES.md §8.1)."""

    MICRO = "micro", _("20 人以下")
    SMALL = "small", _("20–299 人")
    MEDIUM = "medium", _("300–999 人")
    LARGE = "large", _("1000 人以上")


SIZE_BAND_EMPLOYEES = {
    SizeBand.MICRO: (0, 19),
    SizeBand.SMALL: (20, 299),
    SizeBand.MEDIUM: (300, 999),
    SizeBand.LARGE: (1000, None),
}
