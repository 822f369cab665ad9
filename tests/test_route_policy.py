"""Every route names the action the policy decides on: a new route without one fails here."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.middleware import DefineMiddleware

from accounts.guards import FRAMEWORK_PATH_PREFIXES, CurrentUserMiddleware, authorize, route_action
from accounts.policy import Action
from app import create_app
from core.web import EXCEPTION_HANDLERS, make_template_config

pytestmark = pytest.mark.anyio


def _handlers() -> list[tuple[str, Any]]:
    app = create_app()
    return [
        (route.path, handler)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if not route.path.startswith(FRAMEWORK_PATH_PREFIXES) and handler.http_methods != {"OPTIONS"}
    ]


def test_it_names_an_action_on_every_route() -> None:
    missing = [f"{path} {sorted(h.http_methods)}" for path, h in _handlers() if route_action(h) is None]
    assert not missing, f"routes with no policy action: {missing}"


def test_it_opens_only_sign_in_health_language_and_token_to_the_public() -> None:
    public = sorted({path for path, handler in _handlers() if route_action(handler) is Action.PUBLIC})
    assert public == ["/api/v1/auth/token", "/health", "/lang/{code:str}", "/login"]


async def test_it_refuses_a_route_that_names_no_action() -> None:
    @get("/unnamed", sync_to_thread=False)
    def unnamed() -> str:
        return "secret"

    bare = Litestar(
        route_handlers=[unnamed],
        guards=[authorize],
        middleware=[DefineMiddleware(CurrentUserMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=make_template_config({}, {}),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bare), base_url="http://t") as http:
        response = await http.get("/unnamed")
    assert response.status_code == 403
    assert "secret" not in response.text
