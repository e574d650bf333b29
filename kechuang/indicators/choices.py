"""Choices of the indicator module (指标考核)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    YEAR = "year", _("年")
    QUARTER = "quarter", _("季")
    MONTH = "month", _("月")


class IndicatorKind(models.TextChoices):
    """How a figure comes to exist: computed from platform data, reported by a statistics office, or derived."""

    COMPUTED = "computed", _("平台计算")
    REPORTED = "reported", _("填报/导入")
    DERIVED = "derived", _("公式派生")


class Aggregation(models.TextChoices):
    """How a figure adds up the region tree (a city's value from its districts')."""

    SUM = "sum", _("求和")
    RATIO = "ratio", _("比值（分子分母分别求和）")
    NONE = "none", _("不可加")


class Direction(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")


class IndicatorGroup(models.TextChoices):
    """Sheet/section grouping, following how the bureaus' reports are organised."""

    RD = "rd", _("研发投入")
    HIGHTECH = "hightech", _("高新技术产业")
    LADDER = "ladder", _("科技企业培育")
    TECHMARKET = "techmarket", _("技术市场")
    CARRIERS = "carriers", _("创新平台载体")
    FINANCE = "finance", _("科技金融")
    TALENT = "talent", _("科技人才")
    FISCAL = "fiscal", _("科技投入")


class ValueOrigin(models.TextChoices):
    """Provenance of a stored figure."""

    COMPUTED = "computed", _("平台计算")
    DERIVED = "derived", _("公式派生")
    ENTERED = "entered", _("人工录入")
    IMPORTED = "imported", _("Excel 导入")
    COLLECTED = "collected", _("采集轮次")


class ProgressStatus(models.TextChoices):
    GREEN = "green", _("正常")
    AMBER = "amber", _("预警")
    RED = "red", _("滞后")
    MISSING = "missing", _("数据暂缺")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("采集中")
    CLOSED = "closed", _("已关闭")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class BlackRule(models.TextChoices):
    BOTTOM_N = "bottom_n", _("排名末位")
    BELOW_SCHEDULE = "below_schedule", _("未达序时进度")


class Band(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")
    NONE = "", _("—")
