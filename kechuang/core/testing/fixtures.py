"""pytest fixtures every app's tests may use: `cast` (personas and regions) and `client_as`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kechuang.core.testing.personas import Cast, make_cast


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def client_as(cast: Cast) -> Callable[[str], Client]:
    """Return a function giving a test client logged in as the named persona."""

    def login(name: str) -> Client:
        client = Client()
        client.force_login(cast.users[name])
        return client

    return login
