"""The officer's queue benchmark: the bare route and the queue's raw SQL as baselines, then the queue page
(pages 1 and 50) and the cases API, all as officer1 in their district."""

from __future__ import annotations

from bench import rawsql
from bench.measure import Target
from bench.scenario import Scenario
from bench.seed_world import KAIZHOU
from bench.targets import HOST, SignedIn


def queue_scenarios(kind: str, bare_port: int, app: SignedIn) -> list[Scenario]:
    """In the order they are measured; on SQLite also the queue's SQL the way Piccolo runs it."""
    page1 = rawsql.queue_statements(KAIZHOU, "submitted", 1)
    page50 = rawsql.queue_statements(KAIZHOU, "submitted", 50)
    api_sql = rawsql.api_list_statements(KAIZHOU, "submitted")
    scenarios = [
        Scenario("bare", "bare route (baseline)", "http", target=Target(HOST, bare_port, "/"),
                 note="bench/bare_app.py: GET / -> {\"ok\": true}, same uvicorn command line"),
        Scenario("sql_queue", "raw SQL p1 (baseline)", "sql", statements=page1, sql_baseline="sql_queue",
                 note="count_by_state + list, one kept connection, sequential; req/s = pages/s"),
        Scenario("sql_queue_p50", "raw SQL p50", "sql", statements=page50, sql_baseline="sql_queue_p50",
                 note="as above with OFFSET 980"),
        Scenario("sql_api", "raw SQL of the API", "sql", statements=api_sql, sql_baseline="sql_api",
                 note="list + count: what GET /api/v1/cases runs besides the token lookup"),
    ]  # fmt: skip
    if kind == "sqlite":
        scenarios.append(
            Scenario("sql_queue_newconn", "raw SQL p1, conn/stmt", "sql", statements=page1,
                     piccolo_style=True, sql_baseline="sql_queue",
                     note="a new connection per statement, PRAGMA and commit: as Piccolo on SQLite"),
        )  # fmt: skip
    scenarios += [
        Scenario("queue", "queue page p1", "http", target=app.page("/cases/queue"), sql_baseline="sql_queue",
                 note="GET /cases/queue as officer1 (state=submitted by default)"),
        Scenario("queue_p50", "queue page p50", "http", target=app.page("/cases/queue?page=50"),
                 sql_baseline="sql_queue_p50", note="GET /cases/queue?page=50"),
        Scenario("api", "API cases list", "http", sql_baseline="sql_api",
                 target=app.api("/api/v1/cases?state=submitted"),
                 note="bearer token; list + count, no count_by_state"),
    ]  # fmt: skip
    return scenarios
