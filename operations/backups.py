"""`fuchi backup` and `fuchi restore`: the whole database in one file, and back.

SQLite is copied with its online backup API (`sqlite3.Connection.backup`): a consistent copy while
the app runs and writes. PostgreSQL is dumped with `pg_dump -Fc` and restored with
`pg_restore --clean --if-exists`, in one transaction. A restore refuses to overwrite a database
that holds data unless forced.

A backup holds personal data encrypted under SECRET_KEY (and any FUCHI_OLD_SECRET_KEYS): without
those keys its ID numbers and phones cannot be read. Keep the key, apart from the backups.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from core.audit import AuditKind, record_event
from core.config import Settings, settings
from core.db import SQLITE_BUSY_TIMEOUT_SECONDS, enable_wal

# Piccolo's record of applied migrations: present, with rows, in a database that holds no data yet.
MIGRATION_TABLE = "migration"
PG_TIMEOUT_SECONDS = 3600


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Done:
    path: Path
    size: int


def default_path(config: Settings = settings, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite" if config.is_sqlite else "dump"
    return config.var_dir / "backups" / f"fuchi-{stamp}.{suffix}"


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_copy(source: Path, target: Path) -> None:
    """Page-by-page copy through SQLite's backup API: consistent even while others write the source."""
    with (
        sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as reading,
        sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as writing,
    ):
        reading.backup(writing)
    reading.close()
    writing.close()


def _sqlite_backup(config: Settings, path: Path) -> None:
    if not config.sqlite_path.exists():
        raise BackupError(f"there is no database at {config.sqlite_path} to back up")
    _sqlite_copy(config.sqlite_path, path)
    # One self-contained file: the copy leaves WAL mode, so it needs no -wal beside it.
    with sqlite3.connect(path) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")
    copy.close()


def _sqlite_check(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as backup:
            verdict = backup.execute("PRAGMA quick_check").fetchone()
        backup.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite backup: {exc}") from exc
    if verdict is None or verdict[0] != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")


def _sqlite_rows(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as database:
        tables = [
            name
            for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        count = sum(
            database.execute(f'SELECT count(*) FROM (SELECT 1 FROM "{name}" LIMIT 1)').fetchone()[0]
            for name in tables
            if name != MIGRATION_TABLE
        )
    database.close()
    return int(count)


def _sqlite_restore(config: Settings, path: Path) -> None:
    _sqlite_check(path)
    config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(path, config.sqlite_path)
    enable_wal(config)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if match is None:
        raise BackupError(f"cannot read a version in {version_text!r}")
    return int(match.group(1))


async def _pg_fetch(url: str, query: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return list(await connection.fetch(query))
    finally:
        await connection.close()


async def _pg_server_major(url: str) -> int:
    rows = await _pg_fetch(url, "SHOW server_version")
    return _major(rows[0][0])


async def _pg_client(name: str, url: str) -> str:
    """The tool, refused when older than the server (pg_dump cannot dump a newer server)."""
    tool = _tool(name)
    result = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True, timeout=30)
    client, server = _major(result.stdout), await _pg_server_major(url)
    if client < server:
        raise BackupError(f"{name} is version {client} but the server is {server}: install postgresql-client-{server}")
    return tool


async def _pg_rows(url: str) -> int:
    query = (
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    names = [row[0] for row in await _pg_fetch(url, query) if row[0] != MIGRATION_TABLE]
    if not names:
        return 0
    union = " UNION ALL ".join(f'SELECT count(*) AS n FROM (SELECT 1 FROM "{name}" LIMIT 1) AS t' for name in names)
    return int((await _pg_fetch(url, f"SELECT sum(n) FROM ({union}) AS counts"))[0][0] or 0)


def _run(command: list[str], what: str) -> None:
    # The URL may carry a password: never echo the command, only the tool's own message.
    result = subprocess.run(command, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS, env=os.environ.copy())
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


async def _pg_backup(config: Settings, path: Path) -> None:
    tool = await _pg_client("pg_dump", config.database_url)
    _run([tool, "--format=custom", "--no-owner", f"--file={path}", f"--dbname={config.database_url}"], "pg_dump")


async def _pg_restore(config: Settings, path: Path) -> None:
    tool = await _pg_client("pg_restore", config.database_url)
    _run([tool, "--list", str(path)], f"reading {path} as a pg_dump archive")
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={config.database_url}",
            str(path),
        ],
        "pg_restore",
    )


# --- the commands -------------------------------------------------------------------------------


async def rows_present(config: Settings = settings) -> int:
    """Whether the database holds data (0: empty or only migrated): 0 or more, counting at most one row a table."""
    return _sqlite_rows(config.sqlite_path) if config.is_sqlite else await _pg_rows(config.database_url)


async def backup(path: Path | None = None, config: Settings = settings, actor_id: int | None = None) -> Done:
    """Write the whole database to `path` (default under FUCHI_VAR_DIR/backups); audited."""
    path = path or default_path(config)
    if path.exists():
        raise BackupError(f"{path} exists already: choose a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if config.is_sqlite:
            _sqlite_backup(config, path)
        else:
            await _pg_backup(config, path)
    except BaseException:
        path.unlink(missing_ok=True)  # never leave half a backup that looks whole
        raise
    path.chmod(0o600)  # personal data, even encrypted
    done = Done(path, path.stat().st_size)
    await _audit(config, "backup", done, actor_id)
    return done


async def restore(path: Path, config: Settings = settings, *, force: bool = False, actor_id: int | None = None) -> Done:
    """Replace the database with the backup at `path`; refused over data unless `force`; audited."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    if not force and await rows_present(config):
        raise BackupError(
            "the database holds data: restoring would replace it. Stop the app, then run again with --force "
            "(or restore into an empty database)"
        )
    if config.is_sqlite:
        _sqlite_restore(config, path)
    else:
        await _pg_restore(config, path)
    done = Done(path, path.stat().st_size)
    await _audit(config, "restore", done, actor_id)
    return done


async def _audit(config: Settings, action: str, done: Done, actor_id: int | None) -> None:
    """The event goes to the database acted on: after a restore, into the restored trail."""
    if config.database_url != settings.database_url:
        return  # another database than the app's (a test's scratch copy): the app's trail is not its own
    await record_event(
        AuditKind.BACKUP,
        actor_id=actor_id,
        target=f"file:{done.path.name}",
        detail={"action": action, "bytes": done.size, "database": "sqlite" if config.is_sqlite else "postgresql"},
    )
