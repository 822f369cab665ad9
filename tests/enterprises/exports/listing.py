"""Alice's list of enterprises, seeded through the registry's bulk path; asking for its export; the inline limit.

The export tests need more rows than an export answered at once may hold. Rather than write 5,001
rows, they lower `settings.limits.export_inline_rows` for the web app (read when each export is
asked for); the worker, in its own process, never reads it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from core.config import settings
from core.db import write_transaction
from enterprises import records
from enterprises.exports import service
from enterprises.identifiers import complete_resident_id, mask_phone, mask_resident_id
from enterprises.intake import clean_enterprise
from tests.conftest import DISTRICT_A, Client

INLINE_ROWS = 4  # what the tests let an export answered at once hold
ROWS = 11  # alice's enterprises: more than INLINE_ROWS, and not a whole number of chunks


def phone(i: int) -> str:
    return f"1390154{i:04d}"


def id_number(i: int) -> str:
    return complete_resident_id(f"5001541985031{i:04d}")


def name(i: int) -> str:
    return f"开州第{i:02d}号柑橘家庭农场"


def masked_values(i: int) -> tuple[str, str]:
    """The founder's phone and ID number as every list and export shows them."""
    return mask_phone(phone(i)), mask_resident_id(id_number(i))


async def seed_enterprises(user_id: int, count: int = ROWS, district: str = DISTRICT_A) -> list[int]:
    """`count` enterprises registered by `user_id`, each with a founder's phone and ID number, in one transaction."""
    drafts = [
        clean_enterprise(
            {
                "name": name(i),
                "legal_form": "family_farm",
                "district": district,
                "town": "汉丰街道",
                "founder_name": f"周{i:02d}",
                "founder_phone": phone(i),
                "founder_id_number": id_number(i),
            },
            None,
            records.today(),
        )
        for i in range(count)
    ]
    async with write_transaction():
        return await records.create_enterprises(drafts, user_id)


def lower_inline_limit(monkeypatch: pytest.MonkeyPatch, rows: int = INLINE_ROWS) -> None:
    """Answer at once only exports of up to `rows` rows, in this test's app."""
    limits = dataclasses.replace(settings.limits, export_inline_rows=rows)
    monkeypatch.setattr(service, "settings", dataclasses.replace(settings, limits=limits))


async def ask_export(client: Client, file_format: str = "xlsx", **filters: str) -> Any:
    """The list's export form, sent with `filters` as the search that the list shows."""
    return await client.post_form("/enterprises/export", {"format": file_format, **filters}, csrf_from="/enterprises")


def export_id_of(response: Any) -> int:
    """The export a long export's request was sent on to (its page)."""
    assert response.status_code in (302, 303), response.text[:500]
    found = re.fullmatch(r"/enterprises/exports/(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))
