"""The audit trail in use: refusals, reveals and exports recorded; admins filter and export it; no one else reads it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.audit import AuditKind, record_event, verify_chain
from core.config import settings
from core.tables import AuditEvent
from tests.enterprises.test_personal_data import FORM, ID_NUMBER, PHONE

pytestmark = pytest.mark.anyio


async def events(kind: AuditKind | None = None) -> list[dict[str, Any]]:
    query = AuditEvent.select().order_by(AuditEvent.id).output(load_json=True)
    if kind:
        query = query.where(AuditEvent.kind == kind.value)
    return list(await query)


def no_personal_data(rows: list[dict[str, Any]]) -> bool:
    text = repr(rows)
    return ID_NUMBER not in text and PHONE not in text and FORM["founder_name"] not in text


@pytest.fixture
async def registered(client: Any, personas: Any) -> int:
    """An enterprise of district A, registered by Alice."""
    await client.login("alice")
    response = await client.post_form("/enterprises/new", FORM)
    assert response.status_code == 302, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


# --- what is recorded ---------------------------------------------------------------------------------------------


async def test_it_records_a_refused_look_at_an_enterprise_out_of_reach(
    new_client: Any, personas: Any, registered: int
) -> None:
    bob = new_client()
    await bob.login("bob")
    response = await bob.http.get(f"/enterprises/{registered}")
    assert response.status_code == 404

    (refused,) = await events(AuditKind.REFUSED)
    assert refused["actor_id"] == personas.ids["bob"]
    assert refused["target"] == f"/enterprises/{registered}"
    assert refused["detail"] == {"method": "GET", "status": 404}


async def test_it_records_a_refused_action_through_the_api(client: Any, personas: Any, registered: int) -> None:
    headers = await client.api_token("eve")
    path = f"/api/v1/enterprises/{registered}/founder/reveal"
    response = await client.http.post(path, json={"reason": "curious"}, headers=headers)
    assert response.status_code == 403

    (refused,) = await events(AuditKind.REFUSED)
    assert (refused["actor_id"], refused["target"], refused["detail"]) == (
        personas.ids["eve"],
        path,
        {"method": "POST", "status": 403},
    )


async def test_it_leaves_anonymous_unrouted_and_static_misses_out(client: Any, personas: Any, registered: int) -> None:
    assert (await client.http.get("/no-such-page")).status_code == 404
    assert (await client.http.get("/static/no-such-file.css")).status_code == 404
    anonymous = await client.http.post(f"/api/v1/enterprises/{registered}/founder/reveal", json={"reason": "x"})
    assert anonymous.status_code == 401
    assert await events(AuditKind.REFUSED) == []


async def test_it_masks_a_phone_or_id_number_typed_into_a_refused_path(client: Any, personas: Any) -> None:
    await client.login("adam")
    response = await client.post_form(f"/admin/jobs/failed/{PHONE}/retry", {}, csrf_from="/admin/jobs")
    assert response.status_code == 404
    (refused,) = await events(AuditKind.REFUSED)
    assert refused["target"] == "/admin/jobs/failed/…/retry"


async def test_it_records_a_reveal_without_the_values_or_the_reason(
    new_client: Any, personas: Any, registered: int
) -> None:
    olga = new_client()
    await olga.login("olga")
    page = await olga.post_form(
        f"/enterprises/{registered}/reveal", {"reason": "核实贷款申请"}, csrf_from=f"/enterprises/{registered}"
    )
    assert page.status_code == 200

    rows = await events(AuditKind.REVEAL)
    assert [(r["actor_id"], r["target"]) for r in rows] == [(personas.ids["olga"], f"enterprise:{registered}")]
    assert no_personal_data(rows) and "核实贷款申请" not in repr(rows)


async def test_it_records_an_export_with_the_names_of_its_filters_only(
    client: Any, personas: Any, registered: int
) -> None:
    response = await client.post_form(
        "/enterprises/export", {"format": "csv", "q": FORM["founder_name"]}, csrf_from="/enterprises"
    )
    assert response.status_code == 200

    (export,) = await events(AuditKind.EXPORT)
    assert export["actor_id"] == personas.ids["alice"] and export["target"] == "enterprises"
    assert export["detail"] == {"format": "csv", "filters": ["q"], "rows": 1}
    assert no_personal_data([export])
    assert (await verify_chain()).intact


# --- the administrators' page -------------------------------------------------------------------------------------


async def seed_trail(personas: Any) -> None:
    await record_event(AuditKind.SIGN_IN_FAILED, actor_id=None, target="user:alice", source="10.1.1.1")
    bob = personas.ids["bob"]
    await record_event(AuditKind.REFUSED, actor_id=bob, target="/enterprises/7", detail={"method": "GET"})
    await record_event(AuditKind.REVEAL, actor_id=personas.ids["olga"], target="enterprise:7")
    await record_event(AuditKind.EXPORT, actor_id=personas.ids["alice"], target='=HYPERLINK("http://x","y")')


async def test_it_refuses_the_page_and_the_export_to_everyone_but_admins(new_client: Any, personas: Any) -> None:
    for username in ("alice", "olga", "carl", "eve"):
        user = new_client()
        await user.login(username)
        assert (await user.http.get("/admin/audit")).status_code == 403
        assert (await user.http.get("/admin/audit/export.csv")).status_code == 403
    assert len(await events(AuditKind.REFUSED)) == 8  # and each refusal is itself on the trail
    assert await events(AuditKind.EXPORT) == []


async def test_it_shows_every_event_newest_first_in_beijing_time(client: Any, personas: Any) -> None:
    await seed_trail(personas)
    await client.login("adam")
    page = await client.http.get("/admin/audit")
    assert page.status_code == 200
    text = page.text
    assert text.index("enterprise:7") < text.index("/enterprises/7") < text.index("user:alice")
    assert ">bob<" in text and ">olga<" in text and "10.1.1.1" in text
    at = (await events(AuditKind.REVEAL))[0]["at"]
    assert at.astimezone(settings.display_timezone).strftime("%Y-%m-%d %H:%M:%S") in text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("kind=reveal", ["enterprise:7"], ["/enterprises/7", "user:alice"]),
        ("user=bob", ["/enterprises/7"], ["enterprise:7", "user:alice"]),
        ("target=enterprises%2F", ["/enterprises/7"], ["enterprise:7", "user:alice"]),
        ("target=%25", [], ["/enterprises/7", "enterprise:7", "user:alice"]),  # % is a percent sign, not "anything"
    ],
)
async def test_it_filters_by_kind_user_and_target(
    client: Any, personas: Any, query: str, shown: list[str], hidden: list[str]
) -> None:
    await seed_trail(personas)
    await client.login("adam")
    text = (await client.http.get(f"/admin/audit?{query}")).text
    assert all(target in text for target in shown)
    assert not any(f"<code>{target}</code>" in text for target in hidden)


async def test_it_filters_by_days_in_beijing_time(client: Any, personas: Any) -> None:
    await seed_trail(personas)
    await client.login("adam")
    today = datetime.now(settings.display_timezone).date()
    yesterday = today - timedelta(days=1)
    assert "user:alice" in (await client.http.get(f"/admin/audit?since={today}&until={today}")).text
    assert "user:alice" not in (await client.http.get(f"/admin/audit?until={yesterday}")).text
    assert "user:alice" not in (await client.http.get(f"/admin/audit?since={today + timedelta(days=1)}")).text


async def test_it_keeps_the_form_and_says_what_is_wrong(client: Any, personas: Any) -> None:
    await client.login("adam")
    response = await client.http.get("/admin/audit?since=2026-13-40&user=nobody&target=%2Fcases")
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.text or "日期" in response.text
    assert 'value="2026-13-40"' in response.text and 'value="/cases"' in response.text


async def test_it_pages_a_long_trail(client: Any, personas: Any) -> None:
    for n in range(55):
        await record_event(AuditKind.REFUSED, actor_id=personas.ids["bob"], target=f"/cases/{1000 + n}")
    await client.login("adam")
    first = (await client.http.get("/admin/audit?kind=refused")).text
    second = (await client.http.get("/admin/audit?kind=refused&page=2")).text
    assert "/cases/1054" in first and "/cases/1004" not in first
    assert "/cases/1004" in second and "/cases/1000" in second and "/cases/1054" not in second
    assert 'href="/admin/audit?kind=refused&amp;page=2"' in first


async def test_it_exports_the_filtered_events_formula_safe_and_audits_the_export(client: Any, personas: Any) -> None:
    await seed_trail(personas)
    await client.login("adam")
    response = await client.http.get("/admin/audit/export.csv?kind=export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", "time", "kind", "user", "target", "detail", "source"]
    assert len(rows) == 2
    assert rows[1][2:5] == ["export", "alice", '\'=HYPERLINK("http://x","y")']

    audited = (await events(AuditKind.EXPORT))[-1]
    assert (audited["actor_id"], audited["target"]) == (personas.ids["adam"], "audit")
    assert audited["detail"] == {"rows": 1, "kind": "export"}
    assert (await verify_chain()).intact
    assert datetime.now(UTC) - audited["at"] < timedelta(minutes=5)
