"""The 核对营业执照 flag: a pilot credit code is registered flagged; officers list and clear it; history says who."""

from __future__ import annotations

from typing import Any

import pytest

from enterprises.identifiers import CREDIT_CODE_CHECK_DIGIT_MISMATCH, CREDIT_CODE_UNKNOWN_TYPE
from enterprises.tables import Enterprise, EnterpriseChange
from tests.enterprises.test_pilot_codes import failing_check

pytestmark = pytest.mark.anyio

API = "/api/v1/enterprises"
PILOT = failing_check("92500154MA5YX2KQ3")
FORM = {
    "name": "开州区春华柑橘家庭农场",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "139-8345-1234",
    "credit_code": PILOT,
}


async def _register(client: Any, **changes: str) -> int:
    await client.login("alice")
    response = await client.post_form("/enterprises/new", {**FORM, **changes})
    assert response.status_code == 302, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


async def _record(enterprise_id: int) -> dict[str, Any]:
    row = (
        await Enterprise.select(
            Enterprise.credit_code, Enterprise.credit_code_note, Enterprise.licence_check, Enterprise.version
        )
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    assert row is not None
    return {**row, "licence_check": bool(row["licence_check"])}


async def test_it_registers_a_pilot_code_without_the_tick_flagged(client: Any, personas: Any) -> None:
    enterprise_id = await _register(client)
    assert await _record(enterprise_id) == {
        "credit_code": PILOT, "credit_code_note": "", "licence_check": True, "version": 1
    }  # fmt: skip
    page = await client.http.get(f"/enterprises/{enterprise_id}")
    assert "核对营业执照" in page.text
    assert "/licence-check" not in page.text  # a broker sees the flag, not the officers' form


async def test_it_registers_a_pilot_code_with_the_tick_and_a_note_unflagged(client: Any, personas: Any) -> None:
    enterprise_id = await _register(client, credit_code_confirmed="1", credit_code_note="执照原文如此")
    record = await _record(enterprise_id)
    assert (record["licence_check"], record["credit_code_note"]) == (False, "执照原文如此")


async def test_it_keeps_the_form_and_says_what_else_is_wrong_with_a_code(client: Any, personas: Any) -> None:
    await client.login("alice")
    bad = failing_check("94500154MA5YX2KQ3")
    response = await client.post_form("/enterprises/new", {**FORM, "credit_code": bad})
    assert response.status_code == 400
    assert "机构类别代码" in response.text and bad in response.text


async def test_it_registers_a_pilot_code_through_the_api_flagged_with_the_warning(client: Any, personas: Any) -> None:
    headers = await client.api_token("alice")
    response = await client.http.post(API, json={**FORM, "credit_code": PILOT.lower()}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["credit_code"], body["licence_check"]) == (PILOT, True)
    [warning] = body["warnings"]
    assert (warning["field"], warning["message_id"]) == ("credit_code", CREDIT_CODE_CHECK_DIGIT_MISMATCH)
    assert "核对营业执照" in warning["message"]
    shown = await client.http.get(f"{API}/{body['id']}", headers=headers)
    assert shown.json()["licence_check"] is True


async def test_it_refuses_another_fault_through_the_api(client: Any, personas: Any) -> None:
    headers = await client.api_token("alice")
    bad = failing_check("94500154MA5YX2KQ3")
    response = await client.http.post(API, json={**FORM, "credit_code": bad}, headers=headers)
    assert response.status_code == 422
    assert "errors" in response.json() and "credit_code" in response.json()["errors"]
    assert response.json()["errors"]["credit_code"] != CREDIT_CODE_UNKNOWN_TYPE  # shown in Chinese


async def test_it_lists_flagged_records_to_the_officers_who_reach_them(
    client: Any, new_client: Any, personas: Any
) -> None:
    flagged = await _register(client)
    await _register(client, name="开州兴旺竹编合作社", credit_code_confirmed="1", confirm_not_duplicate="1")
    for username, expected in (("olga", [flagged]), ("carl", [flagged]), ("oscar", [])):
        officer = new_client()
        headers = await officer.api_token(username)
        found = await officer.http.get(API, params={"licence_check": "1"}, headers=headers)
        assert found.status_code == 200, found.text
        assert [e["id"] for e in found.json()["items"]] == expected, username
    olga = new_client()
    await olga.login("olga")
    listing = await olga.http.get("/enterprises/")
    assert "1 条记录待核对营业执照" in listing.text
    only = await olga.http.get("/enterprises/", params={"licence_check": "1"})
    assert "开州区春华柑橘家庭农场" in only.text and "开州兴旺竹编合作社" not in only.text
    refused = await olga.http.get("/enterprises/", params={"licence_check": "yes"})
    assert refused.status_code == 422


async def test_it_lets_the_district_officer_clear_the_flag_after_confirming(
    client: Any, new_client: Any, personas: Any
) -> None:
    enterprise_id = await _register(client)
    olga = new_client()
    await olga.login("olga")
    page = await olga.http.get(f"/enterprises/{enterprise_id}")
    assert f'action="/enterprises/{enterprise_id}/licence-check"' in page.text
    path = f"/enterprises/{enterprise_id}/licence-check"

    unconfirmed = await olga.post_form(path, {"version": "1"}, csrf_from=f"/enterprises/{enterprise_id}")
    assert unconfirmed.status_code == 400
    assert (await _record(enterprise_id))["licence_check"] is True

    cleared = await olga.post_form(path, {"version": "1", "confirmed": "1"}, csrf_from=f"/enterprises/{enterprise_id}")
    assert cleared.status_code == 302, cleared.text
    assert await _record(enterprise_id) == {
        "credit_code": PILOT, "credit_code_note": "", "licence_check": False, "version": 2
    }  # fmt: skip
    [change] = (
        await EnterpriseChange.select()
        .where((EnterpriseChange.enterprise == enterprise_id) & (EnterpriseChange.kind == "licence_checked"))
        .output(load_json=True)
    )
    assert (change["actor"], change["version"]) == (personas.ids["olga"], 2)
    history = await olga.http.get(f"/enterprises/{enterprise_id}")
    assert "已核对营业执照上的信用代码" in history.text

    again = await olga.post_form(path, {"version": "2", "confirmed": "1"}, csrf_from=f"/enterprises/{enterprise_id}")
    assert again.status_code == 409  # nothing left to clear


async def test_it_refuses_to_clear_from_a_stale_version(client: Any, new_client: Any, personas: Any) -> None:
    enterprise_id = await _register(client)
    edited = await client.post_form(
        f"/enterprises/{enterprise_id}/edit",
        {**FORM, "employees": "12", "version": "1"},
        csrf_from=f"/enterprises/{enterprise_id}/edit",
    )
    assert edited.status_code == 302, edited.text
    carl = new_client()
    await carl.login("carl")
    path = f"/enterprises/{enterprise_id}/licence-check"
    stale = await carl.post_form(path, {"version": "1", "confirmed": "1"}, csrf_from=f"/enterprises/{enterprise_id}")
    assert stale.status_code == 409
    assert (await _record(enterprise_id))["licence_check"] is True
    fresh = await carl.post_form(path, {"version": "2", "confirmed": "1"}, csrf_from=f"/enterprises/{enterprise_id}")
    assert fresh.status_code == 302


@pytest.mark.parametrize(("username", "status"), [("alice", 403), ("oscar", 404), ("eve", 403)])
async def test_it_lets_no_one_else_clear_the_flag(
    client: Any, new_client: Any, personas: Any, username: str, status: int
) -> None:
    enterprise_id = await _register(client)
    other = new_client()
    await other.login(username)
    token = await other.csrf("/enterprises/")
    response = await other.http.post(
        f"/enterprises/{enterprise_id}/licence-check", data={"_csrf_token": token, "version": "1", "confirmed": "1"}
    )
    assert response.status_code == status
    assert (await _record(enterprise_id))["licence_check"] is True


async def test_it_does_not_flag_again_a_checked_code_when_the_record_is_edited(
    client: Any, new_client: Any, personas: Any
) -> None:
    enterprise_id = await _register(client)
    olga = new_client()
    await olga.login("olga")
    await olga.post_form(
        f"/enterprises/{enterprise_id}/licence-check",
        {"version": "1", "confirmed": "1"},
        csrf_from=f"/enterprises/{enterprise_id}",
    )
    edited = await client.post_form(
        f"/enterprises/{enterprise_id}/edit",
        {**FORM, "employees": "15", "version": "2"},
        csrf_from=f"/enterprises/{enterprise_id}/edit",
    )
    assert edited.status_code == 302, edited.text
    assert await _record(enterprise_id) == {
        "credit_code": PILOT, "credit_code_note": "", "licence_check": False, "version": 3
    }  # fmt: skip
    changed = await client.post_form(
        f"/enterprises/{enterprise_id}/edit",
        {**FORM, "credit_code": failing_check("92500154MA5YX2KQ4"), "version": "3"},
        csrf_from=f"/enterprises/{enterprise_id}/edit",
    )
    assert changed.status_code == 302, changed.text
    assert (await _record(enterprise_id))["licence_check"] is True  # a new pilot code is checked again
