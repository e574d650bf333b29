"""The side navigation, defined once. An item shows only when its URL exists and the user's roles grant its
action on its model; a group shows only when it has an item to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kechuang.core.permissions import can


@dataclass(frozen=True)
class MenuItem:
    label: Any
    url_name: str
    icon: str
    model: str | None = None  # "app_label.ModelName"; None: any logged-in user
    action: str = "view"


@dataclass(frozen=True)
class MenuGroup:
    label: Any
    items: tuple[MenuItem, ...]


MENU = (
    MenuGroup(_("工作台"), (MenuItem(_("首页"), "core:home", "bi-speedometer2"),)),
    MenuGroup(_("企业与创新主体"), (
        MenuItem(_("企业库"), "enterprises:enterprise_list", "bi-buildings", "enterprises.Enterprise"),
        MenuItem(_("资格预审"), "eligibility:index", "bi-clipboard-check", "eligibility.SavedAssessment"),
    )),
    MenuGroup(_("指标考核"), (
        MenuItem(_("领导驾驶舱"), "indicators:dashboard", "bi-speedometer", "indicators.IndicatorValue"),
        MenuItem(_("指标目录"), "indicators:indicator_list", "bi-list-columns", "indicators.Indicator"),
        MenuItem(_("目标分解"), "indicators:target_list", "bi-bullseye", "indicators.Target"),
        MenuItem(_("红黑榜"), "indicators:redblacklist_list", "bi-trophy", "indicators.RedBlackList"),
        MenuItem(_("数据采集"), "indicators:collectionround_list", "bi-inbox", "indicators.CollectionRound"),
    )),
    MenuGroup(_("材料生成"), (
        MenuItem(_("年度工作总结"), "reports:index", "bi-file-earmark-word", "reports.ReportVersion"),
        MenuItem(_("句式模板"), "reports:templates", "bi-chat-square-quote", "reports.SentenceTemplate"),
    )),
    MenuGroup(_("基础数据"), (
        MenuItem(_("行政区划"), "regions:region_list", "bi-diagram-3", "regions.Region"),
    )),
    MenuGroup(_("系统管理"), (
        MenuItem(_("用户"), "accounts:user_list", "bi-people", "accounts.User"),
        MenuItem(_("角色授权"), "accounts:roleassignment_list", "bi-shield-lock", "accounts.RoleAssignment"),
        MenuItem(_("变更日志"), "audit:objectchange_list", "bi-journal-text", "audit.ObjectChange"),
        MenuItem(_("业务事件"), "audit:domainevent_list", "bi-activity", "audit.DomainEvent"),
    )),
    MenuGroup(_("开放接口"), (MenuItem(_("接口文档"), "api-1.0.0:openapi-view", "bi-braces"),)),
)


def _resolve(item: MenuItem) -> str | None:
    try:
        return reverse(item.url_name)
    except NoReverseMatch:
        return None


def _visible(item: MenuItem, user: Any) -> bool:
    if item.model is None:
        return True
    try:
        model = apps.get_model(item.model)
    except LookupError:
        return False
    return can(user, model, item.action)


def menu_for(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    """Return the groups and items `user` may open, each item with its URL and whether it is active."""
    groups = []
    for group in MENU:
        items = []
        for item in group.items:
            url = _resolve(item)
            if url and _visible(item, user):
                active = current_path == url if url == "/" else current_path.startswith(url)
                items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
        if items:
            groups.append({"label": group.label, "items": items})
    return groups
