"""Two people editing one enterprise at once: one change wins, the other is refused and shown why, nothing is lost."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from enterprises.duplicates.merge_service import merge_enterprises
from enterprises.history import carried_forward
from enterprises.identifiers import complete_resident_id
from enterprises.tables import Enterprise, EnterpriseChange
from tests.enterprises.duplicates.test_duplicate_flow import actor

pytestmark = pytest.mark.anyio

API = "/api/v1/enterprises"
PAIRS = 20
ID_NUMBER = complete_resident_id("50015419850312123")
FORM = {
    "name": "开州区春华柑橘家庭农场",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "village": "东街社区",
    "founder_name": "周春华",
    "founder_phone": "139-8345-1234",
    "founder_id_number": ID_NUMBER,
    "employees": "12",
    "migrant_employees": "5",
    "annual_revenue": "860000",
}
# Pairs of different fields two people change at once, with the values each sets.
FIELD_PAIRS = [
    ("town", "village"),
    ("employees", "main_products"),
    ("park", "founder_name"),
    ("name", "founder_worked_before"),
]


def _value(field: str, n: int) -> str:
    return {
        "employees": str(20 + n),
        "name": f"开州区春华柑橘家庭农场{n}号",
    }.get(field, f"{field}第{n}次")


@pytest.fixture
async def registered(client: Any, personas: Any) -> int:
    await client.login("alice")
    response = await client.post_form("/enterprises/new", FORM)
    assert response.status_code == 302, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


async def _record(enterprise_id: int) -> dict[str, Any]:
    row = (
        await Enterprise.select(
            *Enterprise.all_columns(),
            Enterprise.founder.name.as_alias("founder_name"),
            Enterprise.founder.worked_before.as_alias("founder_worked_before"),
        )
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    assert row is not None
    return {k: "" if v is None else str(v) for k, v in row.items()}


async def _changes(enterprise_id: int) -> list[dict[str, Any]]:
    return (
        await EnterpriseChange.select()
        .where((EnterpriseChange.enterprise == enterprise_id) & (EnterpriseChange.kind == "updated"))
        .order_by(EnterpriseChange.id)
        .output(load_json=True)
    )


def _form_of(page: str) -> dict[str, str]:
    """The values an edit page's form would send back (inputs and selected options)."""
    values = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        values[name] = chosen.group(1) if chosen else ""
    values.pop("_csrf_token", None)
    return {k: v.replace("&amp;", "&") for k, v in values.items()}


async def test_it_lets_one_of_each_pair_of_simultaneous_edits_win_and_loses_nothing(
    client: Any, new_client: Any, registered: int
) -> None:
    olga = new_client()
    await olga.login("olga")
    alice_token, olga_token = await client.api_token("alice"), await olga.api_token("olga")
    for n in range(PAIRS):
        first, second = FIELD_PAIRS[n % len(FIELD_PAIRS)]
        before = await _record(registered)
        version = int(before["version"])
        if n % 2:  # through the API, one with the body's version, one with If-Match
            responses = await asyncio.gather(
                client.http.patch(
                    f"{API}/{registered}",
                    json={"changes": {first: _value(first, n)}, "version": version},
                    headers=alice_token,
                ),
                olga.http.patch(
                    f"{API}/{registered}",
                    json={"changes": {second: _value(second, n)}},
                    headers={**olga_token, "If-Match": f'"{version}"'},
                ),
            )
            won = [r.status_code == 200 for r in responses]
        else:  # through the edit form: both pages read before either saves
            pages = [await c.http.get(f"/enterprises/{registered}/edit") for c in (client, olga)]
            forms = [_form_of(p.text) for p in pages]
            assert forms[0]["version"] == forms[1]["version"] == str(version)
            tokens = [await c.csrf(f"/enterprises/{registered}/edit") for c in (client, olga)]
            responses = await asyncio.gather(
                client.http.post(
                    f"/enterprises/{registered}/edit",
                    data={**forms[0], first: _value(first, n), "_csrf_token": tokens[0]},
                ),
                olga.http.post(
                    f"/enterprises/{registered}/edit",
                    data={**forms[1], second: _value(second, n), "_csrf_token": tokens[1]},
                ),
            )
            won = [r.status_code == 302 for r in responses]
        statuses = sorted(r.status_code for r in responses)
        assert sum(won) == 1 and 409 in statuses, (n, statuses, [r.text[:300] for r in responses])

        after = await _record(registered)
        winner, loser = (first, second) if won[0] else (second, first)
        assert after[winner] == _value(winner, n), (n, winner, after)
        assert after[loser] == before[loser], f"pair {n}: the refused change to {loser} was applied"
        assert int(after["version"]) == version + 1
        last = (await _changes(registered))[-1]
        assert set(last["changes"]) == {winner} and last["version"] == version + 1, last

    history = await _changes(registered)
    assert len(history) == PAIRS and [c["version"] for c in history] == list(range(2, PAIRS + 2))
    for change in history:  # no entry sets a field back to a value it had before: nothing silently reverted
        assert len(change["changes"]) == 1, change


async def test_it_keeps_the_users_values_and_shows_what_changed_meanwhile(
    client: Any, new_client: Any, registered: int
) -> None:
    page = await client.http.get(f"/enterprises/{registered}/edit")
    mine = _form_of(page.text)
    assert mine["version"] == "1"
    olga = new_client()
    await olga.login("olga")
    theirs = _form_of((await olga.http.get(f"/enterprises/{registered}/edit")).text)
    saved = await olga.post_form(
        f"/enterprises/{registered}/edit",
        {**theirs, "employees": "30", "founder_phone": "13709871234", "founder_name": "周春花"},
    )
    assert saved.status_code == 302, saved.text

    refused = await client.post_form(
        f"/enterprises/{registered}/edit", {**mine, "main_products": "脐橙、血橙", "founder_name": "周春"}
    )

    assert refused.status_code == 409
    text = refused.text
    assert 'value="脐橙、血橙"' in text  # the user's value kept in the form
    assert "同时发生的变更" in text and "Olga" in text
    assert "从业人数: 12 → 30" in text  # field names in words, the new values
    assert "创业者电话: 139****1234 → 137****1234" in text and "13709871234" not in text  # masked stays masked
    assert 'name="version" value="2"' in text  # saving again applies to the version now seen
    kept = _form_of(text)
    assert kept["employees"] == "30"  # untouched by the user: brought up to date, not reverted on saving again
    assert kept["founder_name"] == "周春" and "他人在此期间修改了此项" in text  # both changed it: the user's, marked
    assert (await _record(registered))["main_products"] == ""

    again = await client.post_form(f"/enterprises/{registered}/edit", {**_form_of(text)})
    assert again.status_code == 302, again.text
    record = await _record(registered)
    assert record["main_products"] == "脐橙、血橙" and record["employees"] == "30"  # both changes kept
    assert record["founder_name"] == "周春"  # the user, shown the clash, chose his value


async def test_it_takes_the_version_from_if_match_or_the_body_and_returns_the_etag(
    client: Any, registered: int
) -> None:
    alice = await client.api_token("alice")
    shown = await client.http.get(f"{API}/{registered}", headers=alice)
    assert shown.headers["etag"] == '"1"' and shown.json()["version"] == 1

    by_header = await client.http.patch(
        f"{API}/{registered}",
        json={"changes": {"town": "临江镇"}},
        headers={**alice, "If-Match": shown.headers["etag"]},
    )
    assert by_header.status_code == 200, by_header.text
    assert by_header.headers["etag"] == '"2"' and by_header.json()["town"] == "临江镇"

    by_body = await client.http.patch(
        f"{API}/{registered}", json={"changes": {"village": "白鹤村"}, "version": 2}, headers=alice
    )
    assert by_body.status_code == 200, by_body.text
    assert by_body.json()["version"] == 3

    stale = await client.http.patch(
        f"{API}/{registered}", json={"changes": {"park": "开州工业园"}, "version": 1}, headers=alice
    )
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["current_version"] == 3 and stale.headers["etag"] == '"3"'
    assert "3" in problem["detail"]
    assert [list(c["changes"]) for c in problem["changed_meanwhile"]] == [["town"], ["village"]]
    assert (await _record(registered))["park"] == ""


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ({"changes": {"town": "临江镇"}}, {}, 428),
        ({"changes": {"town": "临江镇"}}, {"If-Match": "*"}, 422),
        ({"changes": {"town": "临江镇"}}, {"If-Match": "abc"}, 422),
        ({"changes": {"town": "临江镇"}, "version": 1}, {"If-Match": '"2"'}, 422),
        ({"changes": {"town": "临江镇"}, "version": 0}, {}, 400),
    ],
)
async def test_it_refuses_a_change_that_names_no_version(
    client: Any, registered: int, body: dict[str, Any], headers: dict[str, str], status: int
) -> None:
    alice = await client.api_token("alice")
    refused = await client.http.patch(f"{API}/{registered}", json=body, headers={**alice, **headers})
    assert refused.status_code == status, refused.text
    assert refused.json()["detail"]
    assert (await _record(registered))["town"] == FORM["town"]


async def test_it_answers_not_found_before_any_word_on_the_version(client: Any, registered: int) -> None:
    bob = await client.api_token("bob")  # a broker of another district
    refused = await client.http.patch(f"{API}/{registered}", json={"changes": {"town": "临江镇"}}, headers=bob)
    assert refused.status_code == 404


async def test_it_moves_the_version_of_every_enterprise_of_a_founder_edited_through_one(
    client: Any, registered: int
) -> None:
    alice = await client.api_token("alice")
    second = await client.http.post(
        API,
        json={**FORM, "name": "开州区春华农机合作社", "confirm_not_duplicate": True},
        headers=alice,
    )
    assert second.status_code == 201, second.text
    other = second.json()["id"]
    assert (await _record(other))["founder"] == (await _record(registered))["founder"]  # one founder, known by his ID

    changed = await client.http.patch(
        f"{API}/{registered}", json={"changes": {"founder_name": "周春花"}, "version": 1}, headers=alice
    )
    assert changed.status_code == 200, changed.text

    stale = await client.http.patch(
        f"{API}/{other}", json={"changes": {"founder_name": "周春"}, "version": 1}, headers=alice
    )
    assert stale.status_code == 409, stale.text
    assert (await _record(other))["founder_name"] == "周春花"


async def test_it_leaves_the_version_alone_when_an_edit_changes_nothing(client: Any, registered: int) -> None:
    alice = await client.api_token("alice")
    same = await client.http.patch(
        f"{API}/{registered}", json={"changes": {"town": FORM["town"]}, "version": 1}, headers=alice
    )
    assert same.status_code == 200 and same.json()["version"] == 1


async def test_it_refuses_an_edit_begun_before_a_merge(client: Any, personas: Any, registered: int) -> None:
    alice = await client.api_token("alice")
    other = await client.http.post(
        API,
        json={**FORM, "name": "开州区秋实果园", "founder_id_number": "", "founder_phone": "13700001111"}
        | {"founder_name": "李秋实", "confirm_not_duplicate": True},
        headers=alice,
    )
    assert other.status_code == 201, other.text
    merged = other.json()["id"]
    await merge_enterprises(actor(personas, "olga"), registered, merged, "同一家农场重复登记")

    survivor = await client.http.patch(
        f"{API}/{registered}", json={"changes": {"town": "临江镇"}, "version": 1}, headers=alice
    )
    assert survivor.status_code == 409, survivor.text
    assert survivor.json()["current_version"] == 2
    assert [c["kind"] for c in survivor.json()["changed_meanwhile"]] == ["merged"]
    gone = await client.http.patch(f"{API}/{merged}", json={"changes": {"town": "临江镇"}, "version": 2}, headers=alice)
    assert gone.status_code == 409
    assert {row["town"] for row in await Enterprise.select(Enterprise.town)} == {FORM["town"]}


MEANWHILE: list[dict[str, Any]] = [
    {"changes": {"employees": [12, 30], "town": ["汉丰街道", "临江镇"]}},
    {"changes": {"founder_phone": ["139****1234", "137****1234"], "annual_revenue": ["860000.00", "900000.00"]}},
    {"changes": {"town": ["临江镇", "白鹤街道"]}},
]


@pytest.mark.pure
@pytest.mark.parametrize(
    ("mine", "expected", "clashes"),
    [
        (
            {"employees": "12", "town": "汉丰街道"},
            {"employees": "30", "town": "白鹤街道"},
            set(),
        ),  # untouched: brought up
        ({"employees": "15", "town": "汉丰街道"}, {"employees": "15", "town": "白鹤街道"}, {"employees"}),  # both
        ({"employees": "30"}, {"employees": "30"}, set()),  # the same change twice is no clash
        ({"annual_revenue": "860000"}, {"annual_revenue": "900000.00"}, set()),  # 860000 is 860000.00
        ({"founder_phone": ""}, {"founder_phone": ""}, set()),  # masked: an empty field keeps the number on record
    ],
)
def test_it_brings_the_fields_the_user_left_alone_up_to_date(
    mine: dict[str, str], expected: dict[str, str], clashes: set[str]
) -> None:
    values, marked = carried_forward(mine, MEANWHILE)
    assert values == expected and set(marked) == clashes
