"""A case Alice filed for an enterprise of district A, and helpers to act on it over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.policy import Actor, Role
from casework.services import file_need
from casework.tables import CaseEvent
from enterprises.services import register_enterprise
from tests.casework.test_filing import ENTERPRISE, NEED
from tests.conftest import DISTRICT_A, Client, Personas


@dataclass
class Filed:
    case_id: int
    enterprise_id: int
    alice: Actor


async def file_case(personas: Personas, name: str = ENTERPRISE["name"]) -> Filed:
    alice = Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)
    enterprise_id = await register_enterprise(alice, {**ENTERPRISE, "name": name, "confirm_not_duplicate": "1"})
    case_id = await file_need(alice, enterprise_id, NEED)
    return Filed(case_id=case_id, enterprise_id=enterprise_id, alice=alice)


@pytest.fixture
async def filed(personas: Personas) -> Filed:
    return await file_case(personas)


@pytest.fixture
def sign_in(new_client: Callable[[], Client]) -> Callable[[str], Any]:
    """A client signed in (by session) as the named persona."""

    async def signed_in(username: str) -> Client:
        client = new_client()
        response = await client.login(username)
        assert response.status_code in (302, 303), response.text
        return client

    return signed_in


async def upload(
    client: Client,
    case_id: int,
    filename: str | None,
    content: bytes,
    purpose: str = "document",
    note: str = "",
    content_type: str = "application/octet-stream",
) -> Any:
    """Attach a file from the case page, as a browser sends the form (no file chosen: an empty part)."""
    token = await client.csrf(f"/cases/{case_id}")
    files = {"file": (filename or "", content if filename is not None else b"", content_type)}
    return await client.http.post(
        f"/cases/{case_id}/attachments",
        data={"_csrf_token": token, "purpose": purpose, "note": note},
        files=files,
    )


async def all_events() -> list[dict[str, Any]]:
    """Every event of every case, as stored."""
    return await CaseEvent.select().order_by(CaseEvent.id).output(load_json=True)
