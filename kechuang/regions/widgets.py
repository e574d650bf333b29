"""Dashboard cards of the regions app: the user's region tree and counts by level."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kechuang.core.dashboard import Widget, register
from kechuang.core.permissions import can
from kechuang.regions.choices import RegionLevel
from kechuang.regions.models import Region


def _visible_regions(request: HttpRequest):
    return Region.objects.restrict(request.user, "view")


def region_tree_context(request: HttpRequest) -> dict[str, Any]:
    """Return the top of the user's region subtree with its children (two levels)."""
    regions = _visible_regions(request)
    top = regions.order_by("code").first()
    children = list(regions.filter(parent=top).annotate(n=Count("children")).order_by("code")) if top else []
    return {"top": top, "children": children}


def region_counts_context(request: HttpRequest) -> dict[str, Any]:
    """Return the number of regions per level in the user's scope, for a bar chart."""
    counts = dict(_visible_regions(request).values_list("level").annotate(n=Count("code")))
    rows = [(str(label), counts.get(value, 0)) for value, label in RegionLevel.choices if counts.get(value)]
    return {"rows": rows, "total": sum(n for _, n in rows),
            "chart": {"labels": [r[0] for r in rows], "values": [r[1] for r in rows]}}


def can_view_regions(user: Any) -> bool:
    return can(user, Region, "view")


register(Widget("region_counts", _("辖区概况"), "regions/widgets/region_counts.html", region_counts_context,
                can_view_regions, order=10, width="col-lg-5"))
register(Widget("region_tree", _("辖区区划"), "regions/widgets/region_tree.html", region_tree_context,
                can_view_regions, order=20, width="col-lg-7"))
