"""Which SQL statements one request runs, and how long each takes: the app in-process, its
engine's queries recorded and timed (the same engine class the server uses)."""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

import httpx

from core.db import engine

_TABLES = re.compile(r'(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def describe(sql: str) -> str:
    """`SELECT casework_case+enterprises_enterprise+accounts_user`-style summary of a statement."""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    tables = list(dict.fromkeys(t for t in _TABLES.findall(sql) if t.upper() != "SET"))
    extra = " (upsert)" if "ON CONFLICT" in sql.upper() else ""
    return f"{verb} {'+'.join(tables)}{extra}"


async def statements_per_request(
    username: str, password: str, paths: dict[str, str], repeat: int = 15
) -> dict[str, dict[str, Any]]:
    """For each named path: its status, the statements it ran and their median durations.

    Paths under /api/ are sent with a bearer token, the others with the session of a form login.
    """
    from app import create_app  # the app reads the environment at import: only once it is set

    engine_class = type(engine())  # the engine has __slots__: patch its class, in this process only
    recorded: list[tuple[str, float]] = []
    original = engine_class.run_querystring

    async def recording(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        started = time.perf_counter()
        try:
            return await original(self, querystring, in_pool=in_pool)
        finally:
            recorded.append((describe(str(querystring)), (time.perf_counter() - started) * 1000))

    setattr(engine_class, "run_querystring", recording)  # noqa: B010
    results: dict[str, dict[str, Any]] = {}
    try:
        application = create_app()
        async with application.lifespan():
            transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                form = await http.get("/login")
                match = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
                login = {
                    "_csrf_token": match.group(1) if match else "",
                    "username": username,
                    "password": password,
                    "next": "/",
                }
                await http.post("/login", data=login)
                answer = await http.post("/api/v1/auth/token", json={"username": username, "password": password})
                bearer = {"Authorization": f"Bearer {answer.json().get('access_token', '')}"}
                for name, path in paths.items():
                    headers = bearer if path.startswith("/api/") else None
                    await http.get(path, headers=headers)  # warm
                    runs: list[list[tuple[str, float]]] = []
                    totals: list[float] = []
                    status = 0
                    for _ in range(repeat):
                        recorded.clear()
                        started = time.perf_counter()
                        response = await http.get(path, headers=headers)
                        totals.append((time.perf_counter() - started) * 1000)
                        status = response.status_code
                        runs.append(list(recorded))
                    statements = [s for s, _ in runs[-1]]
                    same = [run for run in runs if [s for s, _ in run] == statements]
                    timings = [statistics.median(run[i][1] for run in same) for i in range(len(statements))]
                    writes = sum(1 for s in statements if not s.startswith("SELECT"))
                    results[name] = {
                        "path": path,
                        "status": status,
                        "statements": statements,
                        "statement_ms": [round(t, 3) for t in timings],
                        "reads": len(statements) - writes,
                        "writes": writes,
                        "request_ms": round(statistics.median(totals), 3),
                        "sql_ms": round(sum(timings), 3),
                    }
    finally:
        setattr(engine_class, "run_querystring", original)  # noqa: B010
    return results
