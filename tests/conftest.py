"""Test set-up: a fresh database (SQLite or PostgreSQL) and a real Redis, set before the app is imported.

`FUCHI_TEST_DATABASE` is `sqlite` (default) or the URL of a PostgreSQL server on which a
throwaway database is created. `TEST_REDIS_URL` must name a running Redis: a run that collects
tests needing one fails loudly without it rather than skip (`make test` starts one). Tests marked
`pure` touch neither: `pytest -m pure` runs them with no service at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import subprocess
import sys
import tempfile
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg
import pytest

_TMP = Path(tempfile.mkdtemp(prefix="fuchi-tests-"))
_TARGET = os.environ.get("FUCHI_TEST_DATABASE", "sqlite")
_PG_DATABASE = f"fuchi_test_{uuid.uuid4().hex[:10]}"


def _admin_url(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/postgres"))


if _TARGET == "sqlite":
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'test.sqlite'}"
else:

    async def _create_database() -> None:
        connection = await asyncpg.connect(_admin_url(_TARGET))
        await connection.execute(f'CREATE DATABASE "{_PG_DATABASE}"')
        await connection.close()

    asyncio.run(_create_database())
    os.environ["DATABASE_URL"] = urlunparse(urlparse(_TARGET)._replace(path=f"/{_PG_DATABASE}"))

# Without TEST_REDIS_URL only pure tests may run (checked at collection, below); this address is
# never connected to then.
os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:1/0")
os.environ["FUCHI_VAR_DIR"] = str(_TMP / "var")
os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
# Argon2 at its least cost: the suite signs in thousands of times and tests the login, not the
# hash's strength (tests/accounts checks the default cost stays RFC 9106's).
os.environ.setdefault("FUCHI_ARGON2_TIME_COST", "1")
os.environ.setdefault("FUCHI_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("FUCHI_ARGON2_PARALLELISM", "1")
os.environ["FUCHI_QUEUE"] = f"test-{uuid.uuid4().hex[:8]}"
os.environ.pop("FUCHI_DEMO", None)

# Only now may the app's modules be imported: they read the environment at import.
import httpx  # noqa: E402
import redis  # noqa: E402
from piccolo.apps.migrations.commands.forwards import forwards  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402
from piccolo.utils.sync import run_sync  # noqa: E402

from accounts.passwords import hash_password  # noqa: E402
from accounts.policy import Role  # noqa: E402
from accounts.tables import User  # noqa: E402
from app import create_app  # noqa: E402
from core.config import settings  # noqa: E402
from core.db import enable_wal, engine  # noqa: E402
from core.jobs import QUEUE_NAMES  # noqa: E402
from piccolo_conf import APP_REGISTRY  # noqa: E402

PASSWORD = "correct-horse-battery"
DISTRICT_A = "500154"  # 开州区
DISTRICT_B = "500118"  # 永川区
ON_POSTGRES = _TARGET != "sqlite"


def pytest_report_header() -> list[str]:
    return [f"fuchi database: {'postgresql' if ON_POSTGRES else 'sqlite'} ({settings.database_url})"]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _tables() -> list[str]:
    return [table._meta.tablename for app in APP_REGISTRY.app_configs.values() for table in app.table_classes]


@pytest.hookimpl(trylast=True)  # after `-m` has deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    needing_services = [item for item in items if item.get_closest_marker("pure") is None]
    if needing_services and "TEST_REDIS_URL" not in os.environ:
        raise pytest.UsageError(
            f"TEST_REDIS_URL is not set: {len(needing_services)} collected tests need a real Redis "
            "(`make test` starts one; `pytest -m pure` runs the tests that need none)."
        )


@pytest.fixture(scope="session")
def database() -> Iterator[None]:
    enable_wal()
    asyncio.run(forwards(app_name="all"))
    yield
    if ON_POSTGRES:

        async def drop() -> None:
            connection = await asyncpg.connect(_admin_url(_TARGET))
            await connection.execute(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)')
            await connection.close()

        asyncio.run(drop())


async def _empty_tables() -> None:
    tables = _tables()
    if isinstance(engine(), PostgresEngine):
        names = ", ".join(f'"{t}"' for t in tables)
        await engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    for table in tables:
        await engine().run_ddl(f'DELETE FROM "{table}"')


# Personal data must never reach a log line or a job payload: both are watched for the whole run.
PERSONAL_DATA = re.compile(rb"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")
LEAKS: list[str] = []


class LeakWatch(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if PERSONAL_DATA.search(text.encode()):
            LEAKS.append(f"log {record.name}: {text[:300]}")


@pytest.fixture(scope="session", autouse=True)
def watch_logs() -> Iterator[None]:
    handler = LeakWatch(level=logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)


def _job_payload_leaks(connection: redis.Redis) -> list[str]:
    found = []
    for key in connection.scan_iter("rq:job:*"):
        if connection.type(key) != b"hash":
            continue
        for field in (b"data", b"description", b"meta"):
            raw = connection.hget(key, field) or b""
            with contextlib.suppress(zlib.error):  # job data is zlib-compressed; descriptions are not
                raw = zlib.decompress(raw)
            if PERSONAL_DATA.search(raw):
                found.append(f"job {key.decode()} field {field.decode()}")
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if LEAKS:
        print("\nPersonal data leaked into logs or job payloads:\n  " + "\n  ".join(LEAKS[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with empty tables and an empty Redis database; job payloads are checked after it.

    Pure tests are left alone: they need neither, so they run without any service.
    """
    if request.node.get_closest_marker("pure") is not None:
        yield
        return
    request.getfixturevalue("database")
    run_sync(_empty_tables())  # Piccolo's helper copes with anyio's loop running in this thread
    connection = redis.Redis.from_url(settings.redis_url)
    connection.flushdb()
    yield
    LEAKS.extend(_job_payload_leaks(connection))


@pytest.fixture(scope="session")
def password_hash() -> str:
    # Argon2 is slow on purpose; hash the personas' password once per run.
    return hash_password(PASSWORD)


RQ = str(Path(sys.executable).parent / "rq")


def worker_command(*options: str) -> list[str]:
    """The plain `rq worker` on the test Redis and queue, as operators run it."""
    return [RQ, "worker", *options, "--url", settings.redis_url, *QUEUE_NAMES]


def run_worker_until_idle() -> str:
    """A real `rq worker` in burst mode: it runs what is queued, then exits; returns what it printed."""
    result = subprocess.run(
        worker_command("--burst"), env=os.environ.copy(), capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


class Personas:
    """Alice the broker of district A, Bob the broker of district B, and the rest of the cast."""

    def __init__(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.ids: dict[str, int] = {}

    def add(self, username: str, role: Role, district: str = "") -> int:
        rows = (
            User.insert(
                User(
                    username=username,
                    display_name=username.title(),
                    password_hash=self.password_hash,
                    role=role,
                    district=district,
                )
            )
            .returning(User.id)
            .run_sync()
        )
        self.ids[username] = rows[0]["id"]
        return self.ids[username]


@pytest.fixture
def personas(password_hash: str) -> Personas:
    cast = Personas(password_hash)
    cast.add("alice", Role.BROKER, DISTRICT_A)  # broker of district A
    cast.add("bob", Role.BROKER, DISTRICT_B)  # broker of district B
    cast.add("olga", Role.DISTRICT_OFFICER, DISTRICT_A)  # officer of district A
    cast.add("oscar", Role.DISTRICT_OFFICER, DISTRICT_B)  # officer of district B
    cast.add("carl", Role.CITY_OFFICER)
    cast.add("eve", Role.EXPERT)
    cast.add("adam", Role.ADMIN)
    return cast


@pytest.fixture
async def app() -> AsyncIterator[Any]:
    """A fresh app per test, its lifespan (database pool) open."""
    application = create_app()
    async with application.lifespan():
        yield application


class Client:
    """An HTTP client on the app in-process, with helpers to sign in by page or by token."""

    def __init__(self, http: Any) -> None:
        self.http = http

    async def csrf(self, path: str = "/login") -> str:
        page = await self.http.get(path)
        match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    async def login(self, username: str, password: str = PASSWORD) -> Any:
        token = await self.csrf()
        return await self.http.post(
            "/login", data={"_csrf_token": token, "username": username, "password": password, "next": "/"}
        )

    async def post_form(self, path: str, data: dict[str, str], csrf_from: str | None = None) -> Any:
        token = await self.csrf(csrf_from or path)
        return await self.http.post(path, data={"_csrf_token": token, **data})

    async def api_token(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = await self.http.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _http(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Client]:
    async with _http(app) as http:
        yield Client(http)


@pytest.fixture
async def new_client(app: Any) -> AsyncIterator[Any]:
    """A factory of further clients (other users, other cookie jars) on the same app."""
    opened: list[httpx.AsyncClient] = []

    def make() -> Client:
        opened.append(_http(app))
        return Client(opened[-1])

    yield make
    for http in opened:
        await http.aclose()
