"""Dashboard widget registry: each app registers the cards its module adds to the home page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Widget:
    """A card on the home dashboard: rendered from `template` with `get_context(request)`, shown when
    `is_visible(user)` holds. Figures must come from restricted querysets (the user's scope only)."""

    key: str
    title: str
    template: str
    get_context: Callable[[HttpRequest], dict[str, Any]]
    is_visible: Callable[[Any], bool] = lambda user: True
    order: int = 100
    width: str = "col-lg-6"
    extra: dict[str, Any] = field(default_factory=dict)


_registry: dict[str, Widget] = {}


def register(widget: Widget) -> Widget:
    """Add (or replace) a widget in the registry."""
    _registry[widget.key] = widget
    return widget


def widgets_for(user: Any) -> list[Widget]:
    """Return the widgets `user` may see, in display order."""
    return sorted((w for w in _registry.values() if w.is_visible(user)), key=lambda w: (w.order, w.key))
