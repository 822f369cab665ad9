"""The throughput baseline: a bare Litestar app with one route returning fixed JSON.

Served by the same uvicorn command line as the real app, so the difference between the two is the
app's own work (middleware, sessions, guards, queries, templates), not the server's.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/", sync_to_thread=False)
def ok() -> dict[str, bool]:
    return {"ok": True}


app = Litestar(route_handlers=[ok])
