"""Merging a duplicate record: what moves, what is recorded, who may, and the confirmation page."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from accounts.policy import Role
from accounts.tables import User
from casework.services import move_cases_of_merged_enterprise
from casework.tables import Case
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from enterprises.duplicates.merge_service import merge_enterprises, merges_of, register_mover, unregister_mover
from enterprises.services import get_enterprise
from enterprises.tables import Enterprise, EnterpriseChange, EnterpriseMerge, Need, OutcomeSnapshot
from tests.conftest import DISTRICT_A, DISTRICT_B, Personas
from tests.enterprises.duplicates.test_duplicate_flow import ID_NUMBER, PHONE, actor, add_enterprise

pytestmark = pytest.mark.anyio

REASON = "同一农场 周春华本人确认"


@pytest.fixture(autouse=True)
def cases_move() -> Iterator[None]:
    register_mover("cases", move_cases_of_merged_enterprise)
    yield
    unregister_mover("cases")


async def add_need(enterprise_id: int, owner: int) -> int:
    rows = await Need.insert(
        Need(enterprise=enterprise_id, category="financing", description="冷库资金", filed_by=owner)
    ).returning(Need.id)
    return int(rows[0]["id"])


async def add_case(enterprise_id: int, owner: int) -> int:
    rows = await Case.insert(Case(enterprise=enterprise_id, filed_by=owner, district=DISTRICT_A)).returning(Case.id)
    return int(rows[0]["id"])


async def add_snapshot(enterprise_id: int, owner: int) -> int:
    rows = await OutcomeSnapshot.insert(
        OutcomeSnapshot(enterprise=enterprise_id, measured_on=date(2026, 1, 5), employees=4, recorded_by=owner)
    ).returning(OutcomeSnapshot.id)
    return int(rows[0]["id"])


@pytest.fixture
async def pair(personas: Personas) -> dict[str, int]:
    """Alice's farm, and the same farm registered again by another broker of her district, with needs and a case."""
    alice = personas.ids["alice"]
    rows = await User.insert(
        User(
            username="dave",
            display_name="Dave",
            password_hash=personas.password_hash,
            role=Role.BROKER,
            district=DISTRICT_A,
        )
    ).returning(User.id)
    dave = int(rows[0]["id"])
    survivor = await add_enterprise(alice, "开州区春华柑橘家庭农场", phone=PHONE)
    merged = await add_enterprise(dave, "春华柑橘种植家庭农场", phone=PHONE, id_number=ID_NUMBER)
    return {
        "survivor": survivor,
        "merged": merged,
        "kept_need": await add_need(survivor, alice),
        "need": await add_need(merged, dave),
        "case": await add_case(merged, dave),
        "snapshot": await add_snapshot(merged, dave),
    }


async def test_it_moves_needs_cases_snapshots_and_history_to_the_survivor(
    personas: Personas, pair: dict[str, int]
) -> None:
    merge_id = await merge_enterprises(actor(personas, "olga"), pair["survivor"], pair["merged"], REASON)

    survivor, merged = pair["survivor"], pair["merged"]
    assert await Need.count().where(Need.enterprise == survivor) == 2
    assert (await Case.select(Case.enterprise).where(Case.id == pair["case"]).first())["enterprise"] == survivor
    assert (await OutcomeSnapshot.select().where(OutcomeSnapshot.id == pair["snapshot"]).first())[
        "enterprise"
    ] == survivor
    assert await EnterpriseChange.count().where(EnterpriseChange.enterprise == merged) == 0
    kinds = [
        row["kind"]
        for row in await EnterpriseChange.select(EnterpriseChange.kind)
        .where(EnterpriseChange.enterprise == survivor)
        .order_by(EnterpriseChange.id)
    ]
    assert kinds == ["registered", "registered", "merged"]
    assert (await Enterprise.select(Enterprise.merged_into).where(Enterprise.id == merged).first())[
        "merged_into"
    ] == survivor
    assert merge_id > 0


async def test_it_records_the_merge_with_a_masked_snapshot(personas: Personas, pair: dict[str, int]) -> None:
    merge_id = await merge_enterprises(actor(personas, "olga"), pair["survivor"], pair["merged"], f"  {REASON} ")

    row = await EnterpriseMerge.select().where(EnterpriseMerge.id == merge_id).output(load_json=True).first()
    assert row["survivor"] == pair["survivor"] and row["merged"] == pair["merged"]
    assert row["actor"] == personas.ids["olga"] and row["reason"] == REASON
    snapshot = row["snapshot"]
    assert snapshot["merged"]["name"] == "春华柑橘种植家庭农场"
    assert snapshot["merged"]["founder_phone"] == "139****1234"
    assert snapshot["merged"]["founder_id_number"] == "*" * 14 + ID_NUMBER[-4:]
    assert PHONE not in str(snapshot) and ID_NUMBER not in str(snapshot)
    assert snapshot["moved"]["needs"] == [pair["need"]]
    assert snapshot["moved"]["snapshots"] == [pair["snapshot"]]
    assert snapshot["moved_by_others"] == {"cases": 1}


async def test_it_lets_both_records_read_the_merge_later(personas: Personas, pair: dict[str, int]) -> None:
    olga = actor(personas, "olga")
    merge_id = await merge_enterprises(olga, pair["survivor"], pair["merged"], REASON)

    from_survivor = await merges_of(olga, pair["survivor"])
    from_merged = await merges_of(olga, pair["merged"])

    assert [m["id"] for m in from_survivor] == [merge_id] == [m["id"] for m in from_merged]
    assert from_survivor[0]["moved"] == {"needs": 1, "snapshots": 1, "changes": 1, "merged_records": 0, "cases": 1}
    assert from_survivor[0]["actor_name"] == "Olga" and from_survivor[0]["reason"] == REASON


async def test_it_refuses_brokers(personas: Personas, pair: dict[str, int]) -> None:
    with pytest.raises(NotAllowed):
        await merge_enterprises(actor(personas, "alice"), pair["survivor"], pair["merged"], REASON)


async def test_it_hides_another_districts_records_from_an_officer(personas: Personas, pair: dict[str, int]) -> None:
    with pytest.raises(NotFound):
        await merge_enterprises(actor(personas, "oscar"), pair["survivor"], pair["merged"], REASON)

    assert await EnterpriseMerge.count() == 0


async def test_it_refuses_a_district_officer_a_record_of_another_district(personas: Personas) -> None:
    mine = await add_enterprise(personas.ids["alice"], phone=PHONE)
    bobs = await add_enterprise(personas.ids["bob"], district=DISTRICT_B, phone=PHONE)

    with pytest.raises(NotFound):
        await merge_enterprises(actor(personas, "olga"), mine, bobs, REASON)


async def test_it_lets_a_city_officer_merge_across_districts(personas: Personas) -> None:
    mine = await add_enterprise(personas.ids["alice"], phone=PHONE)
    bobs = await add_enterprise(personas.ids["bob"], district=DISTRICT_B, phone=PHONE)

    await merge_enterprises(actor(personas, "carl"), mine, bobs, REASON)

    assert (await Enterprise.select(Enterprise.merged_into).where(Enterprise.id == bobs).first())["merged_into"] == mine


async def test_it_refuses_to_merge_a_record_into_itself(personas: Personas, pair: dict[str, int]) -> None:
    with pytest.raises(Invalid) as refused:
        await merge_enterprises(actor(personas, "olga"), pair["survivor"], pair["survivor"], REASON)

    assert "merged_id" in refused.value.errors


async def test_it_requires_a_reason(personas: Personas, pair: dict[str, int]) -> None:
    with pytest.raises(Invalid) as refused:
        await merge_enterprises(actor(personas, "olga"), pair["survivor"], pair["merged"], " ")

    assert "reason" in refused.value.errors
    assert await Need.count().where(Need.enterprise == pair["merged"]) == 1


async def test_it_refuses_a_record_already_merged(personas: Personas, pair: dict[str, int]) -> None:
    olga = actor(personas, "olga")
    third = await add_enterprise(personas.ids["alice"], "第三条记录", phone=PHONE)
    await merge_enterprises(olga, pair["survivor"], pair["merged"], REASON)

    with pytest.raises(Conflict):
        await merge_enterprises(olga, third, pair["merged"], REASON)
    with pytest.raises(Conflict):
        await merge_enterprises(olga, pair["merged"], third, REASON)


async def test_it_points_earlier_merges_at_the_new_survivor(personas: Personas, pair: dict[str, int]) -> None:
    olga = actor(personas, "olga")
    final = await add_enterprise(personas.ids["alice"], "春华柑橘（总）", phone=PHONE)
    first = await merge_enterprises(olga, pair["survivor"], pair["merged"], REASON)

    second = await merge_enterprises(olga, final, pair["survivor"], REASON)

    rows = await Enterprise.select(Enterprise.id, Enterprise.merged_into).where(
        Enterprise.id.is_in([pair["survivor"], pair["merged"]])
    )
    assert {row["merged_into"] for row in rows} == {final}
    assert [m["id"] for m in await merges_of(olga, final)] == [first, second]
    assert await Need.count().where(Need.enterprise == final) == 2


async def test_it_lets_only_one_of_two_crossed_merges_happen(personas: Personas, pair: dict[str, int]) -> None:
    olga = actor(personas, "olga")

    outcomes = await asyncio.gather(
        merge_enterprises(olga, pair["survivor"], pair["merged"], REASON),
        merge_enterprises(olga, pair["merged"], pair["survivor"], REASON),
        return_exceptions=True,
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "int"], outcomes
    assert await EnterpriseMerge.count() == 1
    merged_flags = await Enterprise.select(Enterprise.merged_into).where(
        Enterprise.id.is_in([pair["survivor"], pair["merged"]])
    )
    assert sorted(row["merged_into"] is None for row in merged_flags) == [False, True]


# Over HTTP: the confirmation page, the merge, the record of it, and the JSON API.


async def test_it_shows_both_records_side_by_side_before_merging(
    client: Any, personas: Personas, pair: dict[str, int]
) -> None:
    await client.login("olga")

    page = await client.http.get(f"/enterprises/merge?survivor={pair['survivor']}&merged={pair['merged']}")

    assert page.status_code == 200
    assert "开州区春华柑橘家庭农场" in page.text and "春华柑橘种植家庭农场" in page.text
    assert "139****1234" in page.text and PHONE not in page.text and ID_NUMBER not in page.text
    assert 'name="reason"' in page.text and 'action="/enterprises/merge"' in page.text
    assert f"/enterprises/merge?survivor={pair['merged']}&amp;merged={pair['survivor']}" in page.text
    assert await EnterpriseMerge.count() == 0


async def test_it_offers_a_chooser_without_both_numbers(client: Any, personas: Personas) -> None:
    await client.login("olga")

    empty = await client.http.get("/enterprises/merge")
    half = await client.http.get("/enterprises/merge?survivor=abc")

    assert empty.status_code == 200 and 'name="survivor"' in empty.text
    assert half.status_code == 400 and 'aria-invalid="true"' in half.text


async def test_it_merges_after_confirmation_and_shows_the_record_of_it(
    client: Any, personas: Personas, pair: dict[str, int]
) -> None:
    await client.login("olga")
    confirm_page = f"/enterprises/merge?survivor={pair['survivor']}&merged={pair['merged']}"
    form = {"survivor_id": str(pair["survivor"]), "merged_id": str(pair["merged"])}

    without_reason = await client.post_form("/enterprises/merge", {**form, "reason": ""}, csrf_from=confirm_page)
    assert without_reason.status_code == 400 and await EnterpriseMerge.count() == 0

    merged = await client.post_form("/enterprises/merge", {**form, "reason": REASON}, csrf_from=confirm_page)
    assert merged.status_code == 302
    assert merged.headers["location"] == f"/enterprises/{pair['survivor']}"

    record = await client.http.get(f"/enterprises/{pair['survivor']}/merges")
    assert record.status_code == 200
    assert REASON in record.text and "春华柑橘种植家庭农场" in record.text and "Olga" in record.text
    assert PHONE not in record.text
    from_merged = await client.http.get(f"/enterprises/{pair['merged']}/merges")
    assert REASON in from_merged.text

    again = await client.post_form("/enterprises/merge", {**form, "reason": REASON}, csrf_from="/enterprises")
    assert again.status_code == 409


async def test_it_refuses_the_merge_pages_to_brokers_and_other_districts(
    client: Any, new_client: Any, personas: Personas, pair: dict[str, int]
) -> None:
    path = f"/enterprises/merge?survivor={pair['survivor']}&merged={pair['merged']}"
    await client.login("alice")
    oscar = new_client()
    await oscar.login("oscar")

    assert (await client.http.get(path)).status_code == 403
    assert (await oscar.http.get(path)).status_code == 404
    posted = await oscar.post_form(
        "/enterprises/merge",
        {"survivor_id": str(pair["survivor"]), "merged_id": str(pair["merged"]), "reason": REASON},
        csrf_from="/enterprises",
    )
    assert posted.status_code == 404
    assert await EnterpriseMerge.count() == 0


async def test_it_needs_the_csrf_token_to_merge(client: Any, personas: Personas, pair: dict[str, int]) -> None:
    await client.login("olga")

    posted = await client.http.post(
        "/enterprises/merge",
        data={"survivor_id": str(pair["survivor"]), "merged_id": str(pair["merged"]), "reason": REASON},
    )

    assert posted.status_code == 403 and await EnterpriseMerge.count() == 0


async def test_it_merges_and_reads_merges_through_the_api(
    client: Any, personas: Personas, pair: dict[str, int]
) -> None:
    olga = await client.api_token("olga")
    body = {"survivor_id": pair["survivor"], "merged_id": pair["merged"], "reason": REASON}

    created = await client.http.post("/api/v1/enterprises/merges", json=body, headers=olga)

    assert created.status_code == 201, created.text
    merge = created.json()
    assert merge["survivor_id"] == pair["survivor"] and merge["merged_id"] == pair["merged"]
    assert merge["moved"] == {"needs": 1, "snapshots": 1, "changes": 1, "merged_records": 0, "cases": 1}
    assert merge["merged_record"]["founder_phone"] == "139****1234"
    assert PHONE not in created.text and ID_NUMBER not in created.text

    listed = await client.http.get(f"/api/v1/enterprises/{pair['survivor']}/merges", headers=olga)
    assert listed.status_code == 200 and [m["id"] for m in listed.json()] == [merge["id"]]
    one = await client.http.get(f"/api/v1/enterprises/merges/{merge['id']}", headers=olga)
    assert one.status_code == 200 and one.json()["reason"] == REASON

    again = await client.http.post("/api/v1/enterprises/merges", json=body, headers=olga)
    assert again.status_code == 409


async def test_it_refuses_the_merge_api_to_brokers_and_other_districts(
    client: Any, personas: Personas, pair: dict[str, int]
) -> None:
    body = {"survivor_id": pair["survivor"], "merged_id": pair["merged"], "reason": REASON}

    broker = await client.http.post("/api/v1/enterprises/merges", json=body, headers=await client.api_token("alice"))
    oscar_token = await client.api_token("oscar")
    stranger = await client.http.post("/api/v1/enterprises/merges", json=body, headers=oscar_token)
    reading = await client.http.get(f"/api/v1/enterprises/{pair['survivor']}/merges", headers=oscar_token)

    assert broker.status_code == 403
    assert stranger.status_code == 404 and reading.status_code == 404
    assert await EnterpriseMerge.count() == 0


async def test_it_keeps_the_merged_record_out_of_lists(client: Any, personas: Personas, pair: dict[str, int]) -> None:
    await merge_enterprises(actor(personas, "olga"), pair["survivor"], pair["merged"], REASON)
    await client.login("olga")

    listed = await client.http.get("/enterprises")

    assert re.search(rf'href="/enterprises/{pair["survivor"]}"', listed.text)
    assert f'href="/enterprises/{pair["merged"]}"' not in listed.text
    # the merged record itself stays readable, and says where it went
    assert (await get_enterprise(actor(personas, "olga"), pair["merged"]))["merged_into"] == pair["survivor"]
