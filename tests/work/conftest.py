"""Fixtures shared by the work app's page tests: the signed-in owner's client and a second
member, Bob. (A test module's own fixture of the same name wins over these.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories


@pytest.fixture
def client_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def bob(workspace: Any) -> Any:
    return factories.add_member(workspace, factories.make_user(email="bob@example.com", name="Bob Builder")).user
