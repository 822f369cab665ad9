"""Files, notes and the timeline reach only those who reach the case; to anyone else the case does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.tables import Attachment, CaseEvent
from tests.casework.timeline.conftest import Filed, file_case
from tests.casework.timeline.samples import PDF, PNG
from tests.conftest import Personas

pytestmark = pytest.mark.anyio

# Bob is a broker of district B, Oscar its officer; Eve is an expert with no assignment on the case.
OUTSIDERS = ["bob", "oscar", "eve"]
INSIDERS = ["alice", "olga", "carl"]


async def attach_one(client: Any, case_id: int) -> int:
    alice = await client.api_token("alice")
    response = await client.http.post(
        f"/api/v1/cases/{case_id}/attachments", files={"file": ("账本.pdf", PDF, "application/pdf")}, headers=alice
    )
    assert response.status_code == 201, response.text
    attachment_id: int = response.json()["id"]
    return attachment_id


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_it_refuses_a_file_to_a_user_outside_the_cases_reach(
    filed: Filed, client: Any, sign_in: Callable, outsider: str
) -> None:
    attachment_id = await attach_one(client, filed.case_id)
    page_client = await sign_in(outsider)
    token = await client.api_token(outsider)
    case_path = f"/cases/{filed.case_id}"

    page = await page_client.http.get(f"{case_path}/attachments/{attachment_id}")
    api_file = await client.http.get(f"/api/v1{case_path}/attachments/{attachment_id}", headers=token)
    api_list = await client.http.get(f"/api/v1{case_path}/attachments", headers=token)
    api_events = await client.http.get(f"/api/v1{case_path}/events", headers=token)

    assert [page.status_code, api_file.status_code, api_list.status_code, api_events.status_code] == [404] * 4
    assert PDF not in page.content + api_file.content
    assert "账本" not in page.text + api_file.text + api_list.text + api_events.text


@pytest.mark.parametrize("outsider", ["bob", "oscar"])
async def test_it_refuses_notes_and_files_from_a_user_outside_the_cases_reach(
    filed: Filed, client: Any, sign_in: Callable, outsider: str
) -> None:
    page_client = await sign_in(outsider)
    token = await client.api_token(outsider)
    events = await CaseEvent.count()

    page_note = await page_client.post_form(
        f"/cases/{filed.case_id}/notes", {"text": "越界"}, csrf_from="/notifications"
    )
    token_page = await page_client.csrf("/notifications")
    page_file = await page_client.http.post(
        f"/cases/{filed.case_id}/attachments",
        data={"_csrf_token": token_page},
        files={"file": ("x.png", PNG, "image/png")},
    )
    api_note = await client.http.post(f"/api/v1/cases/{filed.case_id}/notes", json={"text": "越界"}, headers=token)
    api_file = await client.http.post(
        f"/api/v1/cases/{filed.case_id}/attachments", files={"file": ("x.png", PNG, "image/png")}, headers=token
    )

    assert [page_note.status_code, page_file.status_code, api_note.status_code, api_file.status_code] == [404] * 4
    assert await CaseEvent.count() == events and await Attachment.count() == 0


async def test_it_refuses_notes_and_files_from_an_expert_not_assigned_and_from_the_admin(
    filed: Filed, client: Any
) -> None:
    eve = await client.api_token("eve")
    adam = await client.api_token("adam")

    eve_note = await client.http.post(f"/api/v1/cases/{filed.case_id}/notes", json={"text": "x"}, headers=eve)
    adam_note = await client.http.post(f"/api/v1/cases/{filed.case_id}/notes", json={"text": "x"}, headers=adam)

    assert eve_note.status_code == 404  # experts may work on cases, but not on this one
    assert adam_note.status_code == 403  # the administrator does no casework
    assert await CaseEvent.count().where(CaseEvent.kind == "note") == 0


@pytest.mark.parametrize("insider", INSIDERS)
async def test_it_serves_a_file_to_those_who_reach_the_case(
    filed: Filed, client: Any, sign_in: Callable, insider: str
) -> None:
    attachment_id = await attach_one(client, filed.case_id)
    page_client = await sign_in(insider)

    page = await page_client.http.get(f"/cases/{filed.case_id}/attachments/{attachment_id}")

    assert page.status_code == 200 and page.content == PDF


async def test_it_does_not_serve_one_cases_file_under_another_cases_address(
    filed: Filed, client: Any, personas: Personas
) -> None:
    other = await file_case(personas, "开州区另一家农场")
    attachment_id = await attach_one(client, other.case_id)
    carl = await client.api_token("carl")  # the city officer reaches both cases

    wrong = await client.http.get(f"/api/v1/cases/{filed.case_id}/attachments/{attachment_id}", headers=carl)
    right = await client.http.get(f"/api/v1/cases/{other.case_id}/attachments/{attachment_id}", headers=carl)
    missing = await client.http.get(f"/api/v1/cases/{filed.case_id}/attachments/{attachment_id + 1}", headers=carl)

    assert (wrong.status_code, right.status_code, missing.status_code) == (404, 200, 404)
