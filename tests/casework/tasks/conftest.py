"""The world a task test starts from: Alice's enterprise in district A with a filed need (a case), Bob's in B.

Anna is a second broker of district A, Ivan an inactive one; the rest of the cast is `personas`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from accounts.policy import Actor, Role
from accounts.tables import User
from casework.services import file_need
from casework.tasks.dispatching import DispatchRequest, dispatch_task
from casework.tasks.service import today
from enterprises.services import register_enterprise
from tests.conftest import DISTRICT_A, DISTRICT_B, Personas

# A 1×1 PNG and the start of a PDF: enough for the type to be told from the content.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


CAST: dict[str, tuple[Role, str | None]] = {
    "alice": (Role.BROKER, DISTRICT_A),
    "anna": (Role.BROKER, DISTRICT_A),
    "ivan": (Role.BROKER, DISTRICT_A),
    "bob": (Role.BROKER, DISTRICT_B),
    "olga": (Role.DISTRICT_OFFICER, DISTRICT_A),
    "oscar": (Role.DISTRICT_OFFICER, DISTRICT_B),
    "carl": (Role.CITY_OFFICER, None),
    "eve": (Role.EXPERT, None),
    "adam": (Role.ADMIN, None),
}


@dataclass
class World:
    personas: Personas
    enterprise_a: int
    case_a: int
    enterprise_b: int
    case_b: int

    def actor(self, username: str) -> Actor:
        role, district = CAST[username]
        return Actor(self.personas.ids[username], role, district)

    def id(self, username: str) -> int:
        return self.personas.ids[username]

    async def dispatch(self, officer: str = "olga", broker: str = "alice", **changes: Any) -> int:
        """A task dispatched through the service, due in three days, about case A unless told otherwise."""
        values: dict[str, Any] = {
            "kind": "visit",
            "due_on": in_days(3),
            "instructions": "上门了解冷库建设进度，拍一张现场照片",
            "broker_id": self.id(broker),
            "case_id": self.case_a,
        }
        return await dispatch_task(self.actor(officer), DispatchRequest(**{**values, **changes}))


def in_days(days: int) -> date:
    return today() + timedelta(days=days)


async def _enterprise_with_case(actor: Actor, district: str, name: str, founder: str, phone: str) -> tuple[int, int]:
    enterprise_id = await register_enterprise(
        actor,
        {
            "name": name,
            "district": district,
            "town": "汉丰街道",
            "founder_name": founder,
            "founder_phone": phone,
            "legal_form": "family_farm",
        },
    )
    case_id = await file_need(
        actor, enterprise_id, {"category": "financing", "description": "扩建冷库需要资金", "urgency": "high"}
    )
    return enterprise_id, case_id


@pytest.fixture
async def world(personas: Personas) -> World:
    personas.add("anna", Role.BROKER, DISTRICT_A)
    ivan = personas.add("ivan", Role.BROKER, DISTRICT_A)
    await User.update({User.is_active: False}).where(User.id == ivan)
    alice = Actor(personas.ids["alice"], Role.BROKER, DISTRICT_A)
    bob = Actor(personas.ids["bob"], Role.BROKER, DISTRICT_B)
    enterprise_a, case_a = await _enterprise_with_case(
        alice, DISTRICT_A, "开州区春华柑橘家庭农场", "周春华", "13983451234"
    )
    enterprise_b, case_b = await _enterprise_with_case(bob, DISTRICT_B, "永川区秀芽茶园", "李秀芽", "13512345678")
    return World(personas, enterprise_a, case_a, enterprise_b, case_b)
