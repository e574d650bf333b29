from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """Return mapping[key], or None when the mapping is empty or lacks the key."""
    if not mapping:
        return None
    return mapping.get(key)
