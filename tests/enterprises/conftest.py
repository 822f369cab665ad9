"""Fixtures of the enterprise tests: an app with the import controllers, until app.py registers them itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from app import create_app
from enterprises.import_controllers import ImportApi, ImportController
from tests.conftest import Client, _http


@pytest.fixture
async def import_app() -> AsyncIterator[Any]:
    """A fresh app with the import pages and API, its lifespan open."""
    application = create_app()
    paths = {route.path for route in application.routes}
    for controller in (ImportController, ImportApi):
        if controller.path not in paths and f"{controller.path}/" not in paths:
            application.register(controller)
    async with application.lifespan():
        yield application


@pytest.fixture
async def import_client(import_app: Any) -> AsyncIterator[Client]:
    async with _http(import_app) as http:
        yield Client(http)


@pytest.fixture
async def new_import_client(import_app: Any) -> AsyncIterator[Any]:
    """A factory of further clients (other users) on the same app."""
    opened: list[Any] = []

    def make() -> Client:
        opened.append(_http(import_app))
        return Client(opened[-1])

    yield make
    for http in opened:
        await http.aclose()
