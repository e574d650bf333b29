from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """Return mapping[key], or None when the mapping is empty or lacks the key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def percent(ratio: Any, places: int = 1) -> str:
    """A ratio (0.9312) as a percentage with `places` decimals ("93.1%"); "—" when there is none."""
    from decimal import Decimal

    if ratio is None or ratio == "":
        return "—"
    return f"{Decimal(str(ratio)) * 100:.{int(places)}f}%"
