"""The audit trail: appended in or outside a transaction, chained under concurrency, tampering found."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.audit import AuditKind, record_event, verify_chain
from core.db import engine, write_transaction
from core.tables import AuditEvent
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.anyio
FUCHI = str(Path(sys.executable).parent / "fuchi")
TRIGGER = "core_audit_event_append_only"


def fuchi_audit_verify() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FUCHI, "audit", "verify"], env=os.environ.copy(), capture_output=True, text=True, timeout=120
    )


async def tamper(event_id: int) -> None:
    """Edit one row behind the application's back, as someone with the database's password could."""
    if ON_POSTGRES:
        await engine().run_ddl(f"ALTER TABLE core_audit_event DISABLE TRIGGER {TRIGGER}")
    else:
        await engine().run_ddl(f"DROP TRIGGER {TRIGGER}")
    await engine().run_ddl(f"""UPDATE core_audit_event SET detail = '{{"method": "POST"}}' WHERE id = {event_id}""")


async def events() -> list[dict[str, Any]]:
    return list(await AuditEvent.select().order_by(AuditEvent.id).output(load_json=True))


async def test_it_chains_each_event_to_the_one_before() -> None:
    await record_event(AuditKind.REFUSED, actor_id=3, target="/cases/9", detail={"method": "GET"}, source="10.0.0.1")
    await record_event(AuditKind.EXPORT, actor_id=None, target="enterprises", detail={"rows": 12})

    first, second = await events()
    assert (first["kind"], first["actor_id"], first["target"], first["detail"]) == (
        "refused",
        3,
        "/cases/9",
        {"method": "GET"},
    )
    assert first["prev_hash"] == "" and len(first["hash"]) == 64
    assert second["prev_hash"] == first["hash"]
    assert (await verify_chain()).events == 2 and (await verify_chain()).intact


async def test_it_joins_an_open_transaction_and_rolls_back_with_it() -> None:
    class Undone(Exception):
        pass

    with pytest.raises(Undone):
        async with write_transaction():
            await record_event(AuditKind.REVEAL, actor_id=1, target="founder:1")
            assert len(await events()) == 1  # written on the transaction's connection
            raise Undone
    assert await events() == []

    async with write_transaction():
        await record_event(AuditKind.REVEAL, actor_id=1, target="founder:1")
        await record_event(AuditKind.REVEAL, actor_id=1, target="founder:2")
    assert [e["target"] for e in await events()] == ["founder:1", "founder:2"]
    assert (await verify_chain()).intact


async def test_it_keeps_one_chain_under_twenty_concurrent_writers(app: Any) -> None:
    await asyncio.gather(
        *(record_event(AuditKind.SIGN_IN_FAILED, actor_id=None, target=f"user:{n}") for n in range(20))
    )

    rows = await events()
    assert len(rows) == 20
    assert len({row["prev_hash"] for row in rows}) == 20  # no two events claim the same predecessor
    report = await verify_chain()
    assert report.intact and report.events == 20


async def test_it_refuses_to_update_an_event_in_the_database() -> None:
    await record_event(AuditKind.BACKUP, actor_id=None, target="backup")
    with pytest.raises(Exception, match="append-only"):
        await engine().run_ddl("UPDATE core_audit_event SET target = 'nothing'")
    if ON_POSTGRES:
        with pytest.raises(Exception, match="append-only"):
            await engine().run_ddl("DELETE FROM core_audit_event")


async def test_it_verifies_an_intact_trail_and_names_an_edited_row() -> None:
    for n in range(3):
        await record_event(AuditKind.REFUSED, actor_id=n, target=f"/enterprises/{n}", detail={"method": "GET"})

    intact = fuchi_audit_verify()
    assert intact.returncode == 0, intact.stderr
    assert "3 events, chain intact" in intact.stdout

    edited = (await events())[1]["id"]
    await tamper(edited)
    broken = fuchi_audit_verify()
    assert broken.returncode == 1
    assert f"broken at event {edited}" in broken.stderr
    assert "edited" in broken.stderr


async def test_it_finds_a_removed_row() -> None:
    for n in range(3):
        await record_event(AuditKind.EXPORT, actor_id=n, target="enterprises")
    removed = (await events())[1]["id"]
    if ON_POSTGRES:
        await engine().run_ddl(f"ALTER TABLE core_audit_event DISABLE TRIGGER {TRIGGER}")
    await engine().run_ddl(f"DELETE FROM core_audit_event WHERE id = {removed}")

    report = await verify_chain()
    assert report.broken_id == removed + 1 and "removed" in report.reason
