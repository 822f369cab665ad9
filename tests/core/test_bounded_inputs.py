"""Numbers and searches as an attacker types them: a 404 or 400, never a 500; `%` and `_` matched literally."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
from litestar import Litestar, get

from core import bounds
from core.db import write_transaction
from core.web import EXCEPTION_HANDLERS
from enterprises import records
from enterprises.intake import clean_enterprise
from enterprises.tables import Enterprise
from tests.conftest import DISTRICT_A, Client, Personas
from tests.experts.pool import add_expert

pytestmark = pytest.mark.anyio

HUGE = "99999999999999999999"
JUST_PAST = str(2**31)
_phones = itertools.count(1)


@pytest.mark.pure
@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), ("007", 7), (str(2**31 - 1), 2**31 - 1), ("0", 0)],
)
def test_it_reads_an_id_in_a_path(text: str, number: int) -> None:
    assert bounds.path_int(text) == number


@pytest.mark.pure
@pytest.mark.parametrize("text", [HUGE, JUST_PAST, "-1", "+1", " 1", "1_000", "١", "9" * 5000])
def test_it_refuses_an_id_the_database_cannot_hold(text: str) -> None:
    with pytest.raises(ValueError):
        bounds.path_int(text)


@pytest.mark.parametrize(
    "path",
    [
        f"/enterprises/{HUGE}",
        f"/enterprises/{JUST_PAST}",
        "/enterprises/-1",
        f"/enterprises/{HUGE}/duplicates",
        f"/enterprises/{HUGE}/merges",
        f"/enterprises/imports/{HUGE}",
        f"/enterprises/exports/{HUGE}",
        f"/cases/{HUGE}",
        f"/experts/{HUGE}",
    ],
)
async def test_it_answers_not_found_to_an_oversized_id_in_a_page_address(
    client: Client, personas: Personas, path: str
) -> None:
    await client.login("olga")

    response = await client.http.get(path)

    assert response.status_code == 404, (path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/enterprises/{HUGE}",
        "/api/v1/cases/-1",
        f"/api/v1/cases/{HUGE}",
        f"/api/v1/enterprises/{JUST_PAST}/merges",
        f"/api/v1/enterprises?page={HUGE}",
        f"/api/v1/cases?page={HUGE}",
    ],
)
async def test_it_answers_the_api_with_a_4xx_to_an_oversized_number(
    client: Client, personas: Personas, path: str
) -> None:
    headers = await client.api_token("carl")

    response = await client.http.get(path, headers=headers)

    assert response.status_code in (400, 404), (path, response.status_code, response.text[:200])
    assert "status_code" in response.json()


@pytest.mark.parametrize(
    "path",
    ["/enterprises/imports", "/enterprises/exports", "/notifications", "/experts", "/enterprises", "/cases"],
)
async def test_it_answers_not_found_to_a_page_past_any_list(client: Client, personas: Personas, path: str) -> None:
    await client.login("olga")

    response = await client.http.get(f"{path}?page={HUGE}")

    # The enterprise list reads its page itself and shows the first page for a number it cannot use.
    assert response.status_code in ((200, 400, 404) if path == "/enterprises" else (400, 404)), path


async def test_it_answers_400_when_an_unbounded_number_reaches_the_database(personas: Personas) -> None:
    """The last net: a number the database cannot hold, from a route that forgot its bound."""

    @get("/api/v1/probe/{number:str}", opt={"action": "public"})
    async def probe(number: str) -> int:
        return int(await Enterprise.count().where(Enterprise.id == int(number)))

    app: Any = Litestar([probe], exception_handlers={**EXCEPTION_HANDLERS, **bounds.EXCEPTION_HANDLERS})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/api/v1/probe/1")).json() == 0
        response = await http.get(f"/api/v1/probe/{HUGE}")

    assert response.status_code == 400


async def _register(user_id: int, *names: str, town: str = "汉丰街道", park: str = "") -> None:
    drafts = [
        clean_enterprise(
            {
                "name": name,
                "legal_form": "family_farm",
                "district": DISTRICT_A,
                "town": town,
                "park": park,
                "founder_name": "周春华",
                "founder_phone": f"1390154{next(_phones):04d}",
            },
            None,
            records.today(),
        )
        for name in names
    ]
    async with write_transaction():
        await records.create_enterprises(drafts, user_id)


@pytest.mark.parametrize(
    ("search", "found", "not_found"),
    [
        ("50%", "春华50%柑橘农场", "春华500柑橘农场"),
        ("a_b", "春华a_b柑橘农场", "春华axb柑橘农场"),
        ("\\", "春华\\柑橘农场", "春华柑橘农场"),
    ],
)
async def test_it_matches_wildcards_typed_into_the_search_literally(
    client: Client, personas: Personas, search: str, found: str, not_found: str
) -> None:
    await _register(personas.ids["alice"], found, not_found)
    await client.login("alice")

    response = await client.http.get("/enterprises", params={"q": search})

    assert response.status_code == 200
    assert found in response.text.replace("&#92;", "\\") and not_found not in response.text


@pytest.mark.parametrize("field", ["town", "park"])
async def test_it_matches_a_percent_in_the_town_and_park_filters_literally(
    client: Client, personas: Personas, field: str
) -> None:
    await _register(personas.ids["alice"], "春华柑橘农场", **{field: "汉丰%"})
    await _register(personas.ids["alice"], "秋实柑橘农场", **{field: "汉丰街道"})
    await client.login("alice")

    literal = await client.http.get("/enterprises", params={field: "%"})
    nothing = await client.http.get("/enterprises", params={field: "_%_%_%_%_%"})

    assert "春华柑橘农场" in literal.text and "秋实柑橘农场" not in literal.text
    assert "春华柑橘农场" not in nothing.text and "秋实柑橘农场" not in nothing.text


async def test_it_matches_a_percent_in_the_expert_filters_literally(client: Client, personas: Personas) -> None:
    await add_expert(name="王律师", specialties=["market"], districts=[DISTRICT_A])
    await client.login("carl")

    by_specialty = await client.http.get("/experts", params={"specialty": "%"})
    by_district = await client.http.get("/experts", params={"district": "_%"})
    unfiltered = await client.http.get("/experts")

    assert "王律师" in unfiltered.text
    assert by_specialty.status_code < 500 and "王律师" not in by_specialty.text
    assert by_district.status_code < 500 and "王律师" not in by_district.text
