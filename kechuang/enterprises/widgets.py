"""Dashboard cards of the enterprise registry: the innovation-ladder funnel and the 高企 due for re-recognition.

Both count only the user's scope (`restrict()`), and show only to users who may view enterprises.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.dashboard import Widget, register
from kechuang.core.permissions import can
from kechuang.enterprises.filtersets import rerecognition_due
from kechuang.enterprises.models import Enterprise, Qualification


def ladder_funnel_context(request: HttpRequest) -> dict[str, Any]:
    """Return, per rung in ladder order, how many enterprises in the user's scope hold it today."""
    today = timezone.localdate()
    rows = list(
        Qualification.objects.restrict(request.user, "view").valid_on(today)
        .values("kind__code", "kind__name", "kind__rung")
        .annotate(n=Count("enterprise", distinct=True))
        .order_by("kind__rung", "kind__code")
    )
    return {"today": today, "rows": rows,
            "chart": {"labels": [r["kind__name"] for r in rows], "values": [r["n"] for r in rows]}}


def rerecognition_due_context(request: HttpRequest) -> dict[str, Any]:
    """Return how many 高企 certificates in the user's scope end this year and next without a renewal."""
    today = timezone.localdate()
    due = rerecognition_due(Qualification.objects.restrict(request.user, "view"), as_of=today)
    by_year = dict(due.values_list("valid_to__year").annotate(n=Count("enterprise", distinct=True)).order_by())
    this_year, next_year = by_year.get(today.year, 0), by_year.get(today.year + 1, 0)
    return {"total": this_year + next_year, "this_year": this_year, "next_year": next_year,
            "year": today.year, "next": today.year + 1}


def can_view_enterprises(user: Any) -> bool:
    return can(user, Enterprise, "view")


register(Widget("ladder_funnel", _("创新梯队"), "enterprises/widgets/ladder_funnel.html", ladder_funnel_context,
                can_view_enterprises, order=30, width="col-lg-7"))
register(Widget("rerecognition_due", _("高企重新认定提醒"), "enterprises/widgets/rerecognition_due.html",
                rerecognition_due_context, can_view_enterprises, order=40, width="col-lg-5"))
