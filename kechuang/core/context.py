"""Who is acting and under which request: carried in context variables so that the change log written deep
inside a save() knows its actor without every caller passing it along.

Services still take a keyword-only `actor` (STYLE.md §4); they enter `acting_as(actor)` so that every row they
write is attributed. Views get it from `AuditContextMiddleware`; commands and tasks call `acting_as` themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    """The actor (a user or None for the system), the request id and the client address of the current work."""

    actor: Any = None
    request_id: str = ""
    remote_addr: str = ""
    channel: str = "system"


_current: ContextVar[AuditContext] = ContextVar("kechuang_audit_context", default=AuditContext())  # noqa: B039 (frozen)


def current() -> AuditContext:
    """Return the audit context in force."""
    return _current.get()


def new_request_id() -> str:
    """Return a fresh request id (32 hex characters)."""
    return uuid.uuid4().hex


@contextmanager
def acting_as(actor: Any, *, request_id: str | None = None, remote_addr: str = "", channel: str | None = None
              ) -> Iterator[AuditContext]:
    """Attribute every change made inside the block to `actor` (a user, or None for the system)."""
    outer = _current.get()
    ctx = AuditContext(
        actor=actor,
        request_id=request_id or outer.request_id or new_request_id(),
        remote_addr=remote_addr or outer.remote_addr,
        channel=channel or outer.channel,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
