"""The duplicate check without the oracle: limited per user, audited, and silent about records out of reach.

Bob (district B) registered an enterprise; Alice (district A) types its founder's ID number. She
learns that it is registered in district B by another broker, and nothing else; after her minute's
checks she is refused; every check she made is in the audit trail, without what she typed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from accounts.policy import Actor, Role
from core.audit import AuditKind
from core.config import settings
from core.db import write_transaction
from core.districts import district_name
from core.i18n import gettext
from core.tables import AuditEvent
from enterprises import records
from enterprises.duplicates.api import OUT_OF_REACH
from enterprises.duplicates.quota import TOO_MANY_CHECKS, TooManyChecks
from enterprises.duplicates.service import duplicates_blocking_registration, find_duplicates
from enterprises.identifiers import complete_credit_code, complete_resident_id
from enterprises.intake import clean_enterprise
from tests.conftest import DISTRICT_A, DISTRICT_B, Client, Personas

pytestmark = pytest.mark.anyio

ID_NUMBER = complete_resident_id("50023419850315123")
CREDIT_CODE = complete_credit_code("92500154MA5YX2KQ3")
BOBS_FARM = "永川春华农业"
BOBS_TOWN = "渝北镇"
LIMIT = settings.limits.duplicate_checks_per_minute


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


async def register(user_id: int, name: str, district: str, town: str, phone: str, **extra: str) -> int:
    """An enterprise registered through the registry's own write path (its phone and ID kept as it keeps them)."""
    values = {
        "name": name,
        "legal_form": "family_farm",
        "district": district,
        "town": town,
        "founder_name": "周春华",
        "founder_phone": phone,
        **extra,
    }
    async with write_transaction():
        [enterprise_id] = await records.create_enterprises([clean_enterprise(values, None, records.today())], user_id)
    return int(enterprise_id)


async def bobs_enterprise(personas: Personas) -> int:
    return await register(
        personas.ids["bob"], BOBS_FARM, DISTRICT_B, BOBS_TOWN, "13983451234", founder_id_number=ID_NUMBER
    )


def alice(personas: Personas) -> Actor:
    return Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)


def leaks(text: str) -> list[str]:
    return [secret for secret in (BOBS_FARM, BOBS_TOWN, "Bob", "bob", ID_NUMBER, ID_NUMBER[-4:]) if secret in text]


async def test_it_tells_of_a_record_out_of_reach_only_its_district(personas: Personas) -> None:
    await bobs_enterprise(personas)

    [match] = await find_duplicates(alice(personas), {"founder_id_number": ID_NUMBER})

    assert match == {
        "id": None,
        "name": "",
        "district": DISTRICT_B,
        "town": "",
        "registered_by_name": "",
        "mine": False,
        "visible": False,
        "url": None,
        "reasons": ["same_founder_id"],
        "reason_labels": ["Same founder ID number"],
    }


async def test_it_tells_of_several_records_out_of_reach_once_per_district(personas: Personas) -> None:
    await bobs_enterprise(personas)
    await register(personas.ids["bob"], "永川秋实农业", DISTRICT_B, BOBS_TOWN, "13983450000", credit_code=CREDIT_CODE)

    found = await find_duplicates(alice(personas), {"founder_id_number": ID_NUMBER, "credit_code": CREDIT_CODE})

    assert len(found) == 1 and found[0]["district"] == DISTRICT_B
    assert set(found[0]["reasons"]) == {"same_founder_id", "same_credit_code"}


async def test_it_still_shows_a_record_within_reach_in_full(personas: Personas) -> None:
    mine = await register(
        personas.ids["alice"], "开州春华农场", DISTRICT_A, "汉丰街道", "13983452222", credit_code=CREDIT_CODE
    )

    [match] = await find_duplicates(alice(personas), {"credit_code": CREDIT_CODE})

    assert (match["id"], match["name"], match["town"]) == (mine, "开州春华农场", "汉丰街道")
    assert match["visible"] is True and match["mine"] is True and match["url"] == f"/enterprises/{mine}"


async def test_it_answers_the_api_and_the_page_without_name_town_or_broker(client: Client, personas: Personas) -> None:
    await bobs_enterprise(personas)
    headers = await client.api_token("alice")

    response = await client.http.post(
        "/api/v1/enterprises/duplicates", json={"founder_id_number": ID_NUMBER}, headers=headers
    )

    assert response.status_code == 200, response.text
    [match] = response.json()
    assert match["id"] is None and match["url"] is None and match["visible"] is False
    assert match["note"] == zh(OUT_OF_REACH, district=district_name(DISTRICT_B))
    assert district_name(DISTRICT_B) in match["note"]
    assert leaks(response.text) == []

    await client.login("alice")
    fragment = await client.post_form(
        "/enterprises/duplicates", {"founder_id_number": ID_NUMBER, "name": ""}, csrf_from="/enterprises/new"
    )
    assert fragment.status_code == 200
    assert zh(OUT_OF_REACH, district=district_name(DISTRICT_B)) in fragment.text
    assert leaks(fragment.text) == [] and "/enterprises/" not in fragment.text


async def test_it_refuses_the_check_after_its_limit_in_a_minute(client: Client, personas: Personas) -> None:
    await bobs_enterprise(personas)
    headers = await client.api_token("alice")

    async def check(token: dict[str, str]) -> Any:
        return await client.http.post(
            "/api/v1/enterprises/duplicates", json={"founder_id_number": ID_NUMBER}, headers=token
        )

    answers = [(await check(headers)).status_code for _ in range(LIMIT)]
    refused = await check(headers)

    assert answers == [200] * LIMIT
    assert refused.status_code == 429
    assert refused.json()["detail"] == zh(TOO_MANY_CHECKS) != TOO_MANY_CHECKS  # in Chinese
    assert leaks(refused.text) == []
    # Per user: Bob's checks are his own.
    assert (await check(await client.api_token("bob"))).status_code == 200
    # The registration form's check is the same oracle: refused alike, and so is the page's warning.
    draft = clean_enterprise(
        {
            "name": "开州新农场",
            "legal_form": "family_farm",
            "district": DISTRICT_A,
            "town": "汉丰街道",
            "founder_name": "周春华",
            "founder_phone": "13983453333",
            "founder_id_number": ID_NUMBER,
        },
        None,
        records.today(),
    )
    with pytest.raises(TooManyChecks):
        await duplicates_blocking_registration(alice(personas), draft)
    await client.login("alice")
    fragment = await client.post_form(
        "/enterprises/duplicates", {"founder_id_number": ID_NUMBER}, csrf_from="/enterprises/new"
    )
    assert zh(TOO_MANY_CHECKS) in fragment.text and leaks(fragment.text) == []


async def test_it_audits_each_check_without_what_was_typed(client: Client, personas: Personas) -> None:
    await bobs_enterprise(personas)
    headers = await client.api_token("alice")

    for fields in ({"founder_id_number": ID_NUMBER}, {"founder_id_number": complete_resident_id("11010119900307123")}):
        response = await client.http.post("/api/v1/enterprises/duplicates", json=fields, headers=headers)
        assert response.status_code == 200

    events = await AuditEvent.select().where(AuditEvent.kind == AuditKind.DUPLICATE_CHECK.value).order_by(AuditEvent.id)
    assert [
        (e["actor_id"], json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"]) for e in events
    ] == [
        (personas.ids["alice"], {"matched": 1}),
        (personas.ids["alice"], {"matched": 0}),
    ]
    assert leaks(json.dumps(events, default=str, ensure_ascii=False)) == []
