"""Duplicates while a broker types: found by each reason, across brokers, without leaking personal data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accounts.policy import Actor, Role
from core import crypto
from core.errors import Conflict
from enterprises.duplicates.service import (
    PossibleDuplicates,
    find_duplicates,
    refuse_unconfirmed_duplicates,
)
from enterprises.identifiers import (
    complete_credit_code,
    complete_resident_id,
)
from enterprises.intake import clean_enterprise
from enterprises.phones import stored_phone
from enterprises.records import today
from enterprises.tables import Enterprise, EnterpriseChange, Founder
from tests.conftest import DISTRICT_A, DISTRICT_B, Personas

pytestmark = pytest.mark.anyio

CREDIT_CODE = complete_credit_code("92500154MA5YX2KQ3")
ID_NUMBER = complete_resident_id("50023419850315123")
PHONE = "13983451234"
FARM = "开州区春华柑橘家庭农场"


def actor(personas: Personas, username: str) -> Actor:
    roles = {"alice": Role.BROKER, "bob": Role.BROKER, "olga": Role.DISTRICT_OFFICER}
    roles |= {"oscar": Role.DISTRICT_OFFICER, "carl": Role.CITY_OFFICER}
    districts = {"alice": DISTRICT_A, "olga": DISTRICT_A, "bob": DISTRICT_B, "oscar": DISTRICT_B}
    return Actor(user_id=personas.ids[username], role=roles[username], district=districts.get(username))


async def add_enterprise(
    owner: int,
    name: str = FARM,
    *,
    district: str = DISTRICT_A,
    town: str = "汉丰街道",
    phone: str = "",
    id_number: str = "",
    credit_code: str = "",
) -> int:
    """A registered enterprise written straight to the tables, as an earlier registration left it."""
    founder = await Founder.insert(
        Founder(
            name="周春华",
            **stored_phone(phone),
            id_number_cipher=crypto.encrypt(id_number),
            id_number_digest=crypto.digest(id_number),
            id_number_last4=id_number[-4:],
            registered_by=owner,
        )
    ).returning(Founder.id)
    rows = await Enterprise.insert(
        Enterprise(
            name=name,
            district=district,
            town=town,
            credit_code=credit_code,
            founder=founder[0]["id"],
            registered_by=owner,
        )
    ).returning(Enterprise.id)
    enterprise_id = int(rows[0]["id"])
    await EnterpriseChange.insert(
        EnterpriseChange(enterprise=enterprise_id, actor=owner, kind="registered", changes={})
    )
    return enterprise_id


def ids(found: list[dict[str, Any]]) -> list[int]:
    return [match["id"] for match in found]


async def test_it_finds_the_same_credit_code_anywhere_in_the_city(personas: Personas) -> None:
    await add_enterprise(personas.ids["bob"], "永川春华农业", district=DISTRICT_B, credit_code=CREDIT_CODE)

    found = await find_duplicates(actor(personas, "alice"), {"credit_code": CREDIT_CODE.lower()})

    assert ids(found) == [None] and found[0]["district"] == DISTRICT_B  # out of reach: no id
    assert found[0]["reasons"] == ["same_credit_code"]


async def test_it_finds_the_same_founder_phone_however_it_is_typed(personas: Personas) -> None:
    mine = await add_enterprise(personas.ids["alice"], phone=PHONE)

    found = await find_duplicates(actor(personas, "alice"), {"founder_phone": "+86 139-8345-1234"})

    assert ids(found) == [mine]
    assert found[0]["reasons"] == ["same_founder_phone"]


async def test_it_finds_the_same_founder_id_number(personas: Personas) -> None:
    await add_enterprise(personas.ids["bob"], "另一家店", district=DISTRICT_B, id_number=ID_NUMBER)

    found = await find_duplicates(actor(personas, "alice"), {"founder_id_number": ID_NUMBER.lower()})

    assert ids(found) == [None] and found[0]["district"] == DISTRICT_B  # out of reach: no id
    assert found[0]["reasons"] == ["same_founder_id"]


async def test_it_finds_the_same_and_similar_names_in_the_same_town(personas: Personas) -> None:
    same = await add_enterprise(personas.ids["alice"], FARM)
    similar = await add_enterprise(personas.ids["alice"], "春华柑橘种植家庭农场")
    await add_enterprise(personas.ids["alice"], "秋实柑橘家庭农场")

    found = await find_duplicates(
        actor(personas, "alice"), {"name": "春华柑橘家庭农场", "district": DISTRICT_A, "town": "汉丰"}
    )

    assert [(m["id"], m["reasons"]) for m in found] == [
        (same, ["same_name_same_town"]),
        (similar, ["similar_name_same_town"]),
    ]


async def test_it_does_not_match_by_name_alone_across_towns(personas: Personas) -> None:
    await add_enterprise(personas.ids["alice"], FARM, town="文峰街道")
    await add_enterprise(personas.ids["bob"], FARM, district=DISTRICT_B, town="汉丰街道")

    found = await find_duplicates(actor(personas, "alice"), {"name": FARM, "district": DISTRICT_A, "town": "汉丰街道"})

    assert found == []


async def test_it_reports_another_brokers_record_without_its_personal_data(personas: Personas) -> None:
    bobs = await add_enterprise(
        personas.ids["bob"],
        "永川春华农业",
        district=DISTRICT_B,
        phone=PHONE,
        id_number=ID_NUMBER,
        credit_code=CREDIT_CODE,
    )

    found = await find_duplicates(actor(personas, "alice"), {"founder_phone": PHONE, "founder_id_number": ID_NUMBER})

    assert len(found) == 1
    match = found[0]
    # Out of reach: its district only (tests/enterprises/test_duplicate_oracle.py), not bobs or its name.
    assert match["id"] is None and match["name"] == "" and match["registered_by_name"] == ""
    assert match["district"] == DISTRICT_B and bobs not in ids(found)
    assert match["visible"] is False and match["url"] is None and match["mine"] is False
    assert set(match["reasons"]) == {"same_founder_id", "same_founder_phone"}
    text = json.dumps(found, ensure_ascii=False)
    assert PHONE[-4:] not in text and ID_NUMBER[-4:] not in text and CREDIT_CODE not in text
    assert crypto.digest(ID_NUMBER) not in text


async def test_it_links_a_record_the_user_may_open(personas: Personas) -> None:
    mine = await add_enterprise(personas.ids["alice"], phone=PHONE)

    [match] = await find_duplicates(actor(personas, "alice"), {"founder_phone": PHONE})

    assert match["visible"] is True and match["mine"] is True and match["url"] == f"/enterprises/{mine}"


async def test_it_does_not_propose_merged_records(personas: Personas) -> None:
    survivor = await add_enterprise(personas.ids["alice"], phone=PHONE)
    merged = await add_enterprise(personas.ids["alice"], phone=PHONE)
    await Enterprise.update({Enterprise.merged_into: survivor}).where(Enterprise.id == merged)

    found = await find_duplicates(
        actor(personas, "alice"), {"founder_phone": PHONE, "name": FARM, "district": DISTRICT_A, "town": "汉丰街道"}
    )

    assert ids(found) == [survivor]


async def test_it_ignores_half_typed_identifiers(personas: Personas) -> None:
    await add_enterprise(personas.ids["alice"], phone=PHONE, id_number=ID_NUMBER, credit_code=CREDIT_CODE)

    found = await find_duplicates(
        actor(personas, "alice"),
        {"founder_phone": PHONE[:7], "founder_id_number": ID_NUMBER[:10], "credit_code": CREDIT_CODE[:9], "name": "春"},
    )

    assert found == []


REGISTRATION = {
    "name": "春华柑橘家庭农场",
    "legal_form": "family_farm",
    "district": DISTRICT_A,
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "139 8345 1234",
}


async def test_it_holds_back_a_registration_that_looks_registered_until_confirmed(personas: Personas) -> None:
    await add_enterprise(personas.ids["bob"], "永川春华农业", district=DISTRICT_B, phone=PHONE)
    draft = clean_enterprise(REGISTRATION, frozenset({DISTRICT_A}), today())
    alice = actor(personas, "alice")

    with pytest.raises(PossibleDuplicates) as held:
        await refuse_unconfirmed_duplicates(alice, draft, REGISTRATION)

    assert isinstance(held.value, Conflict)
    assert ids(held.value.duplicates) == [None]  # out of reach: no id
    await refuse_unconfirmed_duplicates(alice, draft, {**REGISTRATION, "confirm_not_duplicate": "1"})
    await refuse_unconfirmed_duplicates(alice, draft, {**REGISTRATION, "confirm_not_duplicate": "True"})


async def test_it_lets_a_registration_through_when_nothing_matches(personas: Personas) -> None:
    await add_enterprise(personas.ids["alice"], "秋实柑橘家庭农场", phone="13800000000")
    draft = clean_enterprise(REGISTRATION, frozenset({DISTRICT_A}), today())

    await refuse_unconfirmed_duplicates(actor(personas, "alice"), draft, REGISTRATION)


# Over HTTP: the fragment the registration form fetches, and the JSON API.


def fragment_fields(**fields: str) -> dict[str, str]:
    empty = dict.fromkeys(("name", "district", "town", "credit_code", "founder_phone", "founder_id_number"), "")
    return empty | fields


async def test_it_refuses_the_fragment_without_the_csrf_token(client: Any, personas: Personas) -> None:
    await client.login("alice")

    response = await client.http.post("/enterprises/duplicates", data=fragment_fields(founder_phone=PHONE))

    assert response.status_code == 403


async def test_it_warns_in_the_fragment_with_a_link_only_to_what_the_broker_may_open(
    client: Any, personas: Personas
) -> None:
    mine = await add_enterprise(personas.ids["alice"], FARM, phone="13800000000")
    bobs = await add_enterprise(personas.ids["bob"], "永川春华农业", district=DISTRICT_B, phone=PHONE)
    await client.login("alice")

    response = await client.post_form(
        "/enterprises/duplicates",
        fragment_fields(name="春华柑橘家庭农场", district=DISTRICT_A, town="汉丰", founder_phone=PHONE),
        csrf_from="/enterprises/new",
    )

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "可能重复的企业" in response.text
    assert f'href="/enterprises/{mine}"' in response.text and FARM in response.text
    assert "永川春华农业" not in response.text and f"/enterprises/{bobs}" not in response.text
    assert "Bob" not in response.text and "永川区" in response.text  # out of reach: its district only
    assert PHONE not in response.text and "1234" not in response.text


async def test_it_sends_an_empty_fragment_when_nothing_matches(client: Any, personas: Personas) -> None:
    await client.login("alice")

    response = await client.post_form(
        "/enterprises/duplicates",
        fragment_fields(name="全新的店", district=DISTRICT_A, town="汉丰"),
        "/enterprises/new",
    )

    assert response.status_code == 200 and response.text.strip() == ""


async def test_it_keeps_the_fragment_for_brokers(client: Any, personas: Personas) -> None:
    await client.login("olga")

    response = await client.post_form("/enterprises/duplicates", fragment_fields(founder_phone=PHONE), "/enterprises")

    assert response.status_code == 403


async def test_it_answers_the_api_with_reasons_and_no_personal_data(client: Any, personas: Personas) -> None:
    await add_enterprise(personas.ids["bob"], "永川春华农业", district=DISTRICT_B, phone=PHONE)
    headers = await client.api_token("alice")

    response = await client.http.post(
        "/api/v1/enterprises/duplicates", json={"founder_phone": "139 8345 1234", "name": "x"}, headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "id": None,  # out of reach: its district only, not bobs
            "name": "",
            "district": DISTRICT_B,
            "town": "",
            "registered_by_name": "",
            "mine": False,
            "visible": False,
            "url": None,
            "reasons": ["same_founder_phone"],
            "note": "该企业已由其他经纪人在永川区登记，请联系区县经办人员。",
        }
    ]


async def test_it_refuses_the_api_to_officers_and_strangers(client: Any, personas: Personas) -> None:
    anonymous = await client.http.post("/api/v1/enterprises/duplicates", json={"founder_phone": PHONE})
    olga = await client.http.post(
        "/api/v1/enterprises/duplicates", json={"founder_phone": PHONE}, headers=await client.api_token("olga")
    )

    assert anonymous.status_code == 401
    assert olga.status_code == 403


async def test_it_lists_an_officers_possible_duplicates_with_merge_links(client: Any, personas: Personas) -> None:
    first = await add_enterprise(personas.ids["alice"], FARM, phone=PHONE)
    second = await add_enterprise(personas.ids["alice"], "春华柑橘种植家庭农场")
    elsewhere = await add_enterprise(personas.ids["bob"], "永川春华农业", district=DISTRICT_B, phone=PHONE)
    await client.login("olga")

    response = await client.http.get(f"/enterprises/{first}/duplicates")

    assert response.status_code == 200
    assert f"/enterprises/merge?survivor={first}&amp;merged={second}" in response.text
    assert f"/enterprises/merge?survivor={second}&amp;merged={first}" in response.text
    assert "永川春华农业" not in response.text and f"merged={elsewhere}" not in response.text
