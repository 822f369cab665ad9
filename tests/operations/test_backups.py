"""`fuchi backup` and `fuchi restore`: a backup restored into a fresh database reads back an encrypted ID number."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from piccolo.utils.sync import run_sync

from accounts.policy import Actor, Role
from core.audit import AuditKind, verify_chain
from core.config import settings
from core.tables import AuditEvent
from enterprises.identifiers import complete_resident_id
from enterprises.services import register_enterprise, reveal_personal_data
from enterprises.tables import Enterprise, Founder
from operations import cli
from operations.backups import BackupError, backup, restore, rows_present
from tests.conftest import DISTRICT_A, ON_POSTGRES, Personas

ID_NUMBER = complete_resident_id("50015419850312123")
FORM = {
    "name": "开州区春华柑橘家庭农场",
    "legal_form": "family_farm",
    "district": DISTRICT_A,
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "13983451234",
    "founder_id_number": ID_NUMBER,
    "employees": "12",
}


def _alice(personas: Personas) -> Actor:
    return Actor(personas.ids["alice"], Role.BROKER, DISTRICT_A)


async def _make_fresh() -> None:
    """Wipe the app's database to nothing at all: no tables, no migrations (the restore brings them back)."""
    if not ON_POSTGRES:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.sqlite_path}{suffix}").unlink(missing_ok=True)
        sqlite3.connect(settings.sqlite_path).close()
        return

    connection = await asyncpg.connect(settings.database_url)
    await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    await connection.close()


def _events(action: str) -> list[dict[str, Any]]:
    rows = AuditEvent.select().where(AuditEvent.kind == AuditKind.BACKUP.value).output(load_json=True).run_sync()
    return [row for row in rows if row["detail"]["action"] == action]


@pytest.mark.anyio
async def test_it_restores_a_backup_into_a_fresh_database_and_reveals_the_id_number(
    personas: Personas, tmp_path: Path
) -> None:
    enterprise_id = await register_enterprise(_alice(personas), FORM)
    path = tmp_path / "fuchi.backup"
    done = await backup(path, actor_id=personas.ids["adam"])
    assert done.path == path and path.stat().st_size > 0 and path.stat().st_mode & 0o077 == 0
    assert ID_NUMBER.encode() not in path.read_bytes()  # encrypted in the file too
    assert len(_events("backup")) == 1

    with pytest.raises(BackupError, match="holds data"):
        await restore(path)

    await _make_fresh()
    assert await rows_present() == 0
    await restore(path)

    revealed = await reveal_personal_data(_alice(personas), enterprise_id, "restore check")
    assert revealed.id_number == ID_NUMBER and revealed.founder_name == "周春华"
    assert await Enterprise.count() == 1 and await Founder.count() == 1
    # The trail came back as it was when copied (the backup's own event came after) and goes on.
    assert _events("backup") == [] and len(_events("restore")) == 1
    assert (await verify_chain()).intact


@pytest.mark.anyio
async def test_it_refuses_to_write_over_an_existing_file_or_read_a_missing_one(
    personas: Personas, tmp_path: Path
) -> None:
    existing = tmp_path / "taken"
    existing.write_text("something else")
    with pytest.raises(BackupError, match="exists"):
        await backup(existing)
    assert existing.read_text() == "something else"
    with pytest.raises(BackupError, match="no backup"):
        await restore(tmp_path / "missing", force=True)


@pytest.mark.anyio
async def test_it_refuses_a_file_that_is_not_a_backup(personas: Personas, tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError):
        await restore(junk, force=True)
    assert await rows_present() > 0  # the database is untouched


def test_it_backs_up_and_restores_from_the_command_line(
    personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_sync(register_enterprise(_alice(personas), FORM))
    path = tmp_path / "cli.backup"
    cli.main(["backup", str(path)])
    assert path.exists() and "backup written" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="holds data"):
        cli.main(["restore", str(path)])
    cli.main(["restore", "--force", str(path)])
    assert "restored" in capsys.readouterr().out
    assert Enterprise.count().run_sync() == 1
    assert len(_events("restore")) == 1
