"""Template context for the UI shell: navigation, the user's role and scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kechuang.navigation import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    assignment = user.primary_assignment
    return {
        "nav_menu": menu_for(user, request.path),
        "shell_role": assignment.get_role_display() if assignment else "",
        "shell_scope": str(assignment.region) if assignment and assignment.region_id else "",
    }
