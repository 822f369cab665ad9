"""Founders' ID numbers and phones: encrypted at rest, masked everywhere, revealed only by a logged action."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from core import crypto
from core.db import engine
from enterprises.identifiers import complete_resident_id
from enterprises.tables import EnterpriseChange, Founder, PersonalDataAccess

pytestmark = pytest.mark.anyio

ID_NUMBER = complete_resident_id("50015419850312123")
PHONE = "13983451234"
FORM = {
    "name": "开州区春华柑橘家庭农场",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "139-8345-1234",
    "founder_id_number": ID_NUMBER,
    "employees": "12",
    "migrant_employees": "5",
    "annual_revenue": "860000",
}
MASKED_ID = "**************" + ID_NUMBER[-4:]
MASKED_PHONE = "139****1234"


@pytest.fixture
async def registered(client: Any, personas: Any) -> int:
    await client.login("alice")
    response = await client.post_form("/enterprises/new", FORM)
    assert response.status_code == 302, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


async def test_it_stores_the_id_number_encrypted_with_a_digest_to_match_it(registered: int) -> None:
    founder = await Founder.select().first()
    assert ID_NUMBER not in str(founder)
    assert crypto.decrypt(founder["id_number_cipher"]) == ID_NUMBER
    assert founder["id_number_digest"] == crypto.digest(ID_NUMBER)
    dump = await engine().run_ddl("SELECT * FROM enterprises_founder")
    assert ID_NUMBER not in str(dump)


@pytest.mark.parametrize("viewer", ["alice", "olga", "carl"])
async def test_it_masks_personal_data_on_pages_for_every_role(
    client: Any, new_client: Any, registered: int, viewer: str
) -> None:
    other = new_client()
    await other.login(viewer)
    for path in (f"/enterprises/{registered}", "/enterprises", f"/enterprises/{registered}/edit"):
        response = await other.http.get(path)
        assert response.status_code == 200, path
        assert ID_NUMBER not in response.text and PHONE not in response.text, path
    assert MASKED_PHONE in (await other.http.get(f"/enterprises/{registered}")).text
    assert MASKED_ID in (await other.http.get(f"/enterprises/{registered}")).text


@pytest.mark.parametrize("viewer", ["alice", "olga", "carl", "adam"])
async def test_it_masks_personal_data_in_the_api_for_every_role(client: Any, registered: int, viewer: str) -> None:
    headers = await client.api_token(viewer)
    for path in (
        f"/api/v1/enterprises/{registered}",
        "/api/v1/enterprises",
        f"/api/v1/enterprises/{registered}/history",
    ):
        response = await client.http.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
        assert ID_NUMBER not in response.text and PHONE not in response.text, path
    detail = (await client.http.get(f"/api/v1/enterprises/{registered}", headers=headers)).json()
    assert detail["founder_phone"] == MASKED_PHONE and detail["founder_id_number"] == MASKED_ID


@pytest.mark.parametrize(("viewer", "kind"), [(v, k) for v in ("alice", "olga", "carl") for k in ("csv", "xlsx")])
async def test_it_masks_personal_data_in_exports(
    client: Any, new_client: Any, registered: int, viewer: str, kind: str
) -> None:
    other = new_client()
    await other.login(viewer)
    response = await other.post_form("/enterprises/export", {"format": kind}, csrf_from="/enterprises")
    assert response.status_code == 200
    if kind == "csv":
        text = response.content.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        text = "\n".join(",".join(str(c) for c in row) for row in sheet.iter_rows(values_only=True))
    assert FORM["name"] in text and MASKED_PHONE in text and MASKED_ID in text
    assert ID_NUMBER not in text and PHONE not in text


async def test_it_leaves_other_districts_out_of_exports(client: Any, new_client: Any, registered: int) -> None:
    oscar = new_client()
    await oscar.login("oscar")
    response = await oscar.post_form("/enterprises/export", {"format": "csv"}, csrf_from="/enterprises")
    assert FORM["name"] not in response.content.decode("utf-8-sig")


async def test_it_logs_the_reveal_before_returning_the_values(client: Any, new_client: Any, registered: int) -> None:
    olga = new_client()
    await olga.login("olga")
    page = await olga.post_form(
        f"/enterprises/{registered}/reveal", {"reason": "核实贷款申请"}, csrf_from=f"/enterprises/{registered}"
    )
    assert page.status_code == 200
    assert ID_NUMBER in page.text and PHONE in page.text
    assert page.headers["cache-control"] == "no-store"
    log = await PersonalDataAccess.select(PersonalDataAccess.reason, PersonalDataAccess.actor.username).first()
    assert log == {"reason": "核实贷款申请", "actor.username": "olga"}


async def test_it_reveals_through_the_api_only_with_a_reason(client: Any, registered: int) -> None:
    headers = await client.api_token("olga")
    path = f"/api/v1/enterprises/{registered}/founder/reveal"
    refused = await client.http.post(path, json={"reason": " "}, headers=headers)
    assert refused.status_code == 422 and await PersonalDataAccess.count() == 0
    revealed = await client.http.post(path, json={"reason": "回访核实"}, headers=headers)
    assert revealed.json() == {"founder_name": "周春华", "phone": PHONE, "id_number": ID_NUMBER}
    assert await PersonalDataAccess.count() == 1


@pytest.mark.parametrize(("viewer", "status"), [("eve", 403), ("adam", 403), ("oscar", 404), ("bob", 404)])
async def test_it_refuses_the_reveal_to_those_without_the_right(
    client: Any, registered: int, viewer: str, status: int
) -> None:
    headers = await client.api_token(viewer)
    response = await client.http.post(
        f"/api/v1/enterprises/{registered}/founder/reveal", json={"reason": "curious"}, headers=headers
    )
    assert response.status_code == status
    assert ID_NUMBER not in response.text
    assert await PersonalDataAccess.count() == 0


async def test_it_records_each_change_with_personal_data_masked(client: Any, registered: int) -> None:
    changed = await client.post_form(
        f"/enterprises/{registered}/edit", {**FORM, "founder_phone": "13709871234", "employees": "15", "version": "1"}
    )
    assert changed.status_code == 302, changed.text
    change = await EnterpriseChange.select().where(EnterpriseChange.kind == "updated").output(load_json=True).first()
    assert change["changes"]["employees"] == [12, 15]
    assert change["changes"]["founder_phone"] == [MASKED_PHONE, "137****1234"]
    assert "13709871234" not in str(change)


async def test_it_names_each_changed_field_by_its_label_in_the_history(client: Any, registered: int) -> None:
    changed = await client.post_form(
        f"/enterprises/{registered}/edit", {**FORM, "founder_phone": "13709871234", "employees": "15", "version": "1"}
    )
    assert changed.status_code == 302, changed.text

    history = (await client.http.get(f"/enterprises/{registered}")).text.split("<h2>变更记录</h2>", 1)[1]

    assert "从业人数: 12 → 15" in history
    assert f"创业者电话: {MASKED_PHONE} → 137****1234" in history
    assert "employees" not in history and "founder_phone" not in history


async def test_it_keeps_the_phone_on_record_when_the_edit_form_leaves_it_empty(client: Any, registered: int) -> None:
    changed = await client.post_form(
        f"/enterprises/{registered}/edit", {**FORM, "founder_phone": "", "town": "临江镇", "version": "1"}
    )
    assert changed.status_code == 302, changed.text
    assert crypto.decrypt((await Founder.select(Founder.phone_cipher).first())["phone_cipher"]) == PHONE


async def test_it_finds_an_enterprise_by_phone_only_through_a_request_body(client: Any, registered: int) -> None:
    found = await client.post_form("/enterprises", {"phone": "139 8345 1234"}, csrf_from="/enterprises")
    assert FORM["name"] in found.text
    ignored = await client.http.get("/enterprises?phone=00000000")  # a phone in a URL is not used
    assert FORM["name"] in ignored.text
    headers = await client.api_token("alice")
    body = (await client.http.post("/api/v1/enterprises/search", json={"phone": "13983451234"}, headers=headers)).json()
    assert [e["name"] for e in body["items"]] == [FORM["name"]]


async def test_it_reuses_the_founder_known_by_id_number(client: Any, registered: int) -> None:
    second = await client.post_form(
        "/enterprises/new",
        {**FORM, "name": "春华农产品店", "legal_form": "individual_business", "confirm_not_duplicate": "1"},
    )
    assert second.status_code == 302
    assert await Founder.count() == 1
