"""Dashboard card of the indicator module: the key indicators' completion for the user's scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kechuang.core.dashboard import Widget, register
from kechuang.core.permissions import can
from kechuang.indicators.models import IndicatorValue


def key_indicators_context(request: HttpRequest) -> dict[str, Any]:
    from kechuang.indicators.dashboard import dashboard_data

    return dashboard_data(request.user)


def can_view_values(user: Any) -> bool:
    return can(user, IndicatorValue, "view")


register(Widget("key_indicators", _("重点指标完成情况"), "indicators/widgets/key_indicators.html",
                key_indicators_context, can_view_values, order=20, width="col-lg-12"))
