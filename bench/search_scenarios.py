"""The enterprise search benchmark: the search's raw SQL as baselines, then the search form and the API, by
name and by phone digits, as officer1 in their district. Each phase is capped at `max_requests`, since a
search reads every enterprise of the district."""

from __future__ import annotations

from urllib.parse import urlencode

from bench import rawsql
from bench.scenario import SEARCH, Scenario
from bench.seed import SeedReport
from bench.targets import SignedIn


def search_scenarios(
    app: SignedIn,
    report: SeedReport,
    search_name: list[rawsql.Statement],
    search_phone: list[rawsql.Statement],
    cap: int,
) -> list[Scenario]:
    """In the order they are measured; each page must answer with results (`expect`), not an empty list."""
    word, digits = report.search_word, report.search_phone
    row_link = '<td><a href="/enterprises/'
    return [
        Scenario("sql_search", "raw SQL name search", "sql", SEARCH, statements=search_name,
                 sql_baseline="sql_search", max_requests=cap,
                 note=f"list (page 1) + count of list_enterprises for q={word}, one kept connection"),
        Scenario("sql_search_phone", "raw SQL phone search", "sql", SEARCH, statements=search_phone,
                 sql_baseline="sql_search_phone", max_requests=cap,
                 note="list (page 1) + count of list_enterprises for a phone's last four digits"),
        Scenario("search", f"search page q={word}", "http", SEARCH, target=app.form({"q": word}),
                 sql_baseline="sql_search", max_requests=cap, expect=row_link,
                 note="POST /enterprises (the search form, CSRF token and cookie) as officer1"),
        Scenario("search_phone", "search page phone", "http", SEARCH, target=app.form({"phone": digits}),
                 sql_baseline="sql_search_phone", max_requests=cap, expect=row_link,
                 note=f"POST /enterprises phone={digits} (the last four digits of a seeded founder's phone)"),
        Scenario("api_search", f"API search q={word}", "http", SEARCH, sql_baseline="sql_search",
                 target=app.api("/api/v1/enterprises?" + urlencode({"q": word})), max_requests=cap,
                 expect=f'"total":{report.search_word_matches}', note="GET with the bearer token"),
        Scenario("api_search_phone", "API search phone", "http", SEARCH, sql_baseline="sql_search_phone",
                 target=app.api("/api/v1/enterprises/search", {"phone": digits}), max_requests=cap,
                 expect=f'"total":{report.search_phone_matches}',
                 note="POST /api/v1/enterprises/search {\"phone\": ...} with the bearer token"),
    ]  # fmt: skip
