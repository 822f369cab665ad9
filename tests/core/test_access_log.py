"""The access log says what was asked and how it went, and nothing typed into the URL."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def test_it_logs_the_route_not_the_ids_in_the_path(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="fuchi.access")
    # Numbers shaped like neither a phone nor an ID number: the run's leak watch reads every log line.
    await client.http.get("/api/v1/enterprises/1234567890/needs?phone=123456789")  # an id that can exist
    await client.http.get("/no/such/page/123456789012")
    lines = [record.getMessage() for record in caplog.records if record.name == "fuchi.access"]
    assert lines[0].startswith("GET /api/v1/enterprises/{enterprise_id}/needs 401 ")
    assert lines[1] == "GET /no/such/page/… 404 -"
    assert not any("123456" in line or "phone" in line for line in lines)
