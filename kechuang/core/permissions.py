"""Who may do what, and where: grants by role and domain, scopes by assignment.

A model names its `permission_domain` (business, reference, accounts, security, audit) and, in `scope_fields`,
how each kind of scope reaches its rows (e.g. ``{"region": "region", "enterprise": "pk"}``). A dictionary that
belongs to no place (the indicator catalogue) sets `scope_free = True`: whoever a role grants the action may see
all of it, whatever the assignment's scope. A user's role
assignments (accounts.RoleAssignment) each carry a role, which grants actions on domains, and a scope.
`restrict()` is the union over the assignments that grant the action of each assignment's scope condition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from django.db.models import Model

ACTIONS = ("view", "add", "change", "delete", "import", "export")
ALL_ROWS = Q()


def region_code_range(code: str, significant: int) -> tuple[str, str]:
    """Return the lowest and highest 12-digit codes under the first `significant` digits of `code`.

    A region subtree is a prefix of the statistical code; a range on the zero-padded code is the same set and
    uses a plain b-tree index on both SQLite and PostgreSQL (docs/decisions/0003-region-codes.md).
    """
    prefix = code[:significant]
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def region_subtree_q(path: str, code: str, significant: int) -> Q:
    """Return a Q selecting rows whose region code at `path` lies in the subtree of `code`."""
    low, high = region_code_range(code, significant)
    return Q(**{f"{path}__gte": low, f"{path}__lte": high})


def assignments_of(user: Any) -> list[Any]:
    """Return the user's active role assignments, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_kechuang_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.select_related("region").filter(is_active=True))
        user._kechuang_assignments = cached
    return cached


def grants_action(assignment: Any, model: type[Model], action: str) -> bool:
    """Return whether the assignment's role allows `action` on the model's permission domain."""
    from kechuang.accounts.roles import actions_for

    return action in actions_for(assignment.role, model.permission_domain)


def can(user: Any, model: type[Model], action: str) -> bool:
    """Return whether any of the user's roles allows `action` on `model` somewhere (else the view is 403)."""
    return any(grants_action(a, model, action) for a in assignments_of(user))


def scope_condition(model: type[Model], assignment: Any) -> Q | None:
    """Return the Q an assignment's scope imposes on `model`, ALL_ROWS for a global scope, or None if the
    model cannot be reached through this kind of scope."""
    kind = assignment.scope_kind
    if kind == "global" or getattr(model, "scope_free", False):
        return ALL_ROWS
    path = model.scope_fields.get(kind)
    if path is None:
        return None
    if kind == "region":
        return region_subtree_q(path, assignment.region.code, assignment.region.significant_digits)
    value = assignment.scope_value()
    return Q(**{path: value}) if value is not None else None


def scope_q(user: Any, model: type[Model], action: str) -> Q | None:
    """Return the union of scope conditions granting `action` on `model`, or None when nothing is granted."""
    combined: Q | None = None
    for assignment in assignments_of(user):
        if not grants_action(assignment, model, action):
            continue
        condition = scope_condition(model, assignment)
        if condition is None:
            continue
        if condition == ALL_ROWS:
            return ALL_ROWS
        combined = condition if combined is None else combined | condition
    return combined


def region_in_scope(user: Any, model: type, region: Any, action: str) -> bool:
    """Whether one of the user's roles grants `action` on `model` for rows of `region` (a global scope, or a
    region scope whose subtree holds it)."""
    for assignment in assignments_of(user):
        if not grants_action(assignment, model, action):
            continue
        if assignment.scope_kind == "global":
            return True
        if assignment.scope_kind == "region" and "region" in model.scope_fields:
            low, high = region_code_range(assignment.region.code, assignment.region.significant_digits)
            if low <= region.code <= high:
                return True
    return False
