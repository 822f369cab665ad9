"""Property tests of the JSON API against its own OpenAPI schema, with schemathesis.

Run in their own pytest session (`-m schemathesis`): the fuzzer writes junk rows.

Every API operation is one test item, so `clean_state` empties the database before each; the
`seed` fixture then adds personas' tokens, two enterprises with a case each, experts and
notifications, and what the operation's path reaches (tasks, files, plans, confirmations: see
`tests.openapi_world`), and the operation's Hypothesis examples run against them, some of them
naming the seeded rows in their path, query or body. Checked: no 5xx, status
codes, content types, headers and bodies as documented, schema-invalid input refused with a 4xx,
schema-valid input not refused by the framework (400).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation

from accounts.guards import user_from_session
from accounts.services import issue_token
from app import create_app
from tests.conftest import PASSWORD, Personas
from tests.openapi_world import CONFIRMATIONS, PLAN, World, make_world, parts_for

pytestmark = pytest.mark.schemathesis

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Operations are run under the persona who may perform them (Carl, the city officer, unless named
# here); other personas are drawn too, so that the refusals (401, 403, 404) are checked against the
# schema as well.
BROKER_OPERATIONS = {
    ("POST", "/api/v1/enterprises"),
    ("POST", "/api/v1/enterprises/{enterprise_id}/needs"),
    ("POST", "/api/v1/enterprises/duplicates"),
    ("POST", "/api/v1/imports"),
    ("POST", "/api/v1/cases"),
    ("POST", "/api/v1/cases/{case_id}/notes"),
    ("POST", "/api/v1/cases/{case_id}/attachments"),
    ("POST", "/api/v1/tasks/{task_id}/complete"),
    ("POST", "/api/v1/cases/{case_id}/plan/close-out"),
}
# Fields and query parameters that name a row (or the version read of one), and the seeded values they may take.
REFERENCES = {
    "enterprise_id": "enterprise_id",
    "case_id": "case_id",
    "case": "case_id",
    "survivor": "case_id",
    "broker_id": "broker_id",
    "broker": "broker_id",
    "expert": "expert",
    "task": "task_id",
    "attachment_id": "attachment_id",
    "confirmation_id": "confirmation_id",
    "confirmation": "confirmation_id",
    "problems": "problem_id",
    "version": "version",
}
PERSONAS = ("alice", "olga", "carl", "adam", "eve", "bob")
ANONYMOUS = "anonymous"
SIGNED_IN_BY_API = ("alice", "carl")
MAX_EXAMPLES = 40


def _without_lifespan(app: ASGIApp) -> ASGIApp:
    """The app, its lifespan acknowledged but not run.

    schemathesis runs the app on an event loop of its own thread; the fixtures write to the
    database from the test's thread with `asyncio.run`. On SQLite the lifespan does nothing
    (no pool); on PostgreSQL it would open an asyncpg pool bound to schemathesis' loop, which
    the fixtures' loops cannot use. Without it, every query opens its own connection.
    """

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return asgi


@dataclass
class Seed:
    """Rows the fuzzer's requests may hit (see `tests.openapi_world`), and a bearer token per persona."""

    tokens: dict[str, str]
    world: World


async def _tokens(app: ASGIApp, personas: Personas) -> dict[str, str]:
    """A bearer token per persona: the two main ones asked of the app itself, the rest issued directly.

    (Each sign-in costs an Argon2 verification, and the seed is made afresh for every operation.)
    """
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    tokens: dict[str, str] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for username in SIGNED_IN_BY_API:
            response = await http.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            assert response.status_code == 201, response.text
            tokens[username] = response.json()["access_token"]
    for username in PERSONAS:
        if username not in tokens:
            user = await user_from_session({"user_id": personas.ids[username]})
            assert user is not None, username
            tokens[username] = (await issue_token(user)).token
    return tokens


API_APP = create_app()  # a fresh app of the factory, used by this module only


# 422 is how the domain refuses a value the schema cannot describe (an unknown district, a
# wrong password): schema-valid data may get it. A 400 (the framework's validation) may not.
# 428: an enterprise change naming no version (neither in its body nor in If-Match).
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "428", "429"],
            },
        },
    }
)


def _load_schema() -> tuple[Any, BaseException | None]:
    """The app's OpenAPI document as schemathesis' schema, bound to the app in-process.

    `parametrize` needs the schema at import, when the test database has no tables yet, and
    serving `/schema/openapi.json` touches the session table: so the document is taken from the
    app object, and `test_it_serves_the_openapi_schema` checks that it is the one served. A
    broken schema must fail this module's test, not the collection of the whole suite (which
    imports this module too).
    """
    try:
        loaded = schemathesis.openapi.from_dict(API_APP.openapi_schema.to_schema(), config=CONFIG)
    except Exception as exc:
        return None, exc
    loaded.app = _without_lifespan(API_APP)
    # Pages (HTML) are no part of the API, even if they leak into the schema.
    return loaded.include(path_regex=r"^/(api/|health$)"), None


schema, SCHEMA_ERROR = _load_schema()


@pytest.fixture
def seed(request: pytest.FixtureRequest, personas: Personas) -> Seed:
    # An operation's item carries its label ("GET /api/v1/tasks"): only the rows its path reaches are made.
    method, _, path = (getattr(request.node, "operation_label", None) or "").partition(" ")
    world = asyncio.run(make_world(personas, parts_for(method, path)))
    tokens = asyncio.run(_tokens(API_APP, personas))
    return Seed(tokens=tokens, world=world)


def _performer(method: str, path: str) -> str:
    if (method, path) in BROKER_OPERATIONS or path.startswith(CONFIRMATIONS):
        return "alice"  # a founder's confirmation is the broker's
    if path.startswith(PLAN) and method != "GET":
        return "eve"  # the lead expert writes the plan
    if path == "/api/v1/experts/me":
        return "eve"  # an expert's own profile
    return "carl"


def _point_at_seeded_rows(case: Any, data: st.DataObject, world: World) -> None:
    """Some valid requests name seeded rows in their path, so that reading one finds it.

    A case's row (a file, a problem) goes with its own case.
    """
    for name in ("enterprise_id", "case_id", "task_id", "follow_up_id", "expert_id"):
        if name in case.path_parameters and world.of(name) and data.draw(st.booleans(), label=f"seeded {name}"):
            case.path_parameters[name] = data.draw(st.sampled_from(world.of(name)), label=name)
    for name, rows in world.in_case.items():
        if name in case.path_parameters and data.draw(st.booleans(), label=f"seeded {name}"):
            case.path_parameters["case_id"], case.path_parameters[name] = data.draw(st.sampled_from(rows), label=name)


def _name_seeded_rows(values: dict[str, Any], data: st.DataObject, world: World) -> None:
    """Some valid query parameters and fields that name a row (a broker, a case, problems) name seeded ones."""
    for key, value in list(values.items()):
        ids = world.of(REFERENCES.get(key, ""))
        if not ids or isinstance(value, bool) or not data.draw(st.booleans(), label=f"seeded {key}"):
            continue
        if isinstance(value, list):
            values[key] = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True), label=key)
        elif isinstance(value, int):
            values[key] = data.draw(st.sampled_from(ids), label=key)


if schema is None:

    def test_api_conforms_to_its_schema() -> None:
        raise AssertionError(f"The OpenAPI schema does not build: {SCHEMA_ERROR!r}") from SCHEMA_ERROR

else:

    @schema.parametrize()
    @schema.given(data=st.data())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,  # no .hypothesis/ folder in the project; failures print a curl to replay
    )
    def test_api_conforms_to_its_schema(case: Any, data: st.DataObject, seed: Seed) -> None:
        negative = case.meta is not None and case.meta.generation.mode.is_negative
        # A case that leaves out or garbles the token is about refusal: send it as generated.
        if not case.operation.schema.is_security_param_negated(case):
            preferred = _performer(case.method.upper(), case.path)
            persona = data.draw(st.one_of(st.just(preferred), st.sampled_from((*PERSONAS, ANONYMOUS))), label="persona")
            if persona == ANONYMOUS:
                case.headers.pop("Authorization", None)
            else:
                case.headers["Authorization"] = f"Bearer {seed.tokens[persona]}"
        if case.path_parameters and not (negative and case.meta.is_negative_at(ParameterLocation.PATH)):
            _point_at_seeded_rows(case, data, seed.world)
        for location, values in ((ParameterLocation.QUERY, case.query), (ParameterLocation.BODY, case.body)):
            if isinstance(values, dict) and not (negative and case.meta.is_negative_at(location)):
                _name_seeded_rows(values, data, seed.world)
        if case.path == "/health":
            # 503 is how /health says a component is down (here: no rq worker runs), not a crash.
            response = case.call()
            assert response.status_code in (200, 503), response.text
            assert response.json()["ok"] is (response.status_code == 200), response.text
            case.validate_response(response, excluded_checks=[not_a_server_error, positive_data_acceptance])
            return
        case.call_and_validate()


def test_it_serves_the_openapi_schema() -> None:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=API_APP)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.get("/schema/openapi.json")

    response = asyncio.run(fetch())
    assert response.status_code == 200, response.text
    assert "json" in response.headers["content-type"], response.headers["content-type"]
    document = response.json()
    assert document == json.loads(json.dumps(API_APP.openapi_schema.to_schema())), "not the document fuzzed"
    paths = set(document["paths"])
    expected = {
        "/api/v1/auth/token",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/enterprises/{enterprise_id}/needs",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/events",
        "/api/v1/cases/{case_id}/transitions",
        "/api/v1/experts",
        "/api/v1/notifications",
        "/health",
    }
    assert expected <= paths, sorted(expected - paths)
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values()), schemes


def test_the_schema_documents_only_the_api() -> None:
    """Pages (HTML, session cookies, CSRF) are no part of the API and have no place in its schema."""
    paths = set(API_APP.openapi_schema.to_schema()["paths"])
    pages = sorted(p for p in paths if not (p.startswith("/api/") or p == "/health"))
    assert not pages, f"page routes in the OpenAPI schema: {pages}"


# What the fuzzer rarely draws: a NUL character (PostgreSQL refuses it in text) and numbers past
# the database's integers. Each must be refused or ignored with a 4xx or served, never a 5xx.
HOSTILE_REQUESTS = [
    ("POST", "/api/v1/auth/token", None, {"username": "carl\x00", "password": "x"}),
    ("GET", "/api/v1/enterprises", {"q": "a\x00b"}, None),
    ("GET", "/api/v1/enterprises", {"district": "\x00"}, None),
    ("GET", "/api/v1/cases", {"district": "\x00"}, None),
    ("POST", "/api/v1/enterprises/search", None, {"q": "a\x00b"}),
    ("POST", "/api/v1/enterprises/search", None, {"page": 2**62}),
    ("GET", "/api/v1/cases/99999999999", None, None),
    ("POST", "/api/v1/cases/{case_id}/transitions", None, {"transition": "triage", "version": 2**40}),
]


@pytest.mark.parametrize(("method", "path", "params", "body"), HOSTILE_REQUESTS)
def test_hostile_input_is_not_a_server_error(
    seed: Seed, method: str, path: str, params: dict[str, str] | None, body: dict[str, Any] | None
) -> None:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=API_APP)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.request(
                method,
                path.format(case_id=seed.world.of("case_id")[0]),
                params=params,
                json=body,
                headers={"Authorization": f"Bearer {seed.tokens['carl']}"},
            )

    response = asyncio.run(send())
    assert response.status_code < 500, response.text
