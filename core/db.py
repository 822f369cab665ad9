"""The database engine for the configured ``DATABASE_URL``, and how to write to it safely."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.config import Settings, settings

SQLITE_BUSY_TIMEOUT_SECONDS = 15


def make_engine(config: Settings) -> Engine[Any]:
    """Build the Piccolo engine that ``DATABASE_URL`` names."""
    if config.is_sqlite:
        config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        # `timeout` is sqlite3's busy timeout: writers wait for the lock instead of failing.
        return SQLiteEngine(path=str(config.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    return PostgresEngine(config={"dsn": config.database_url})


def engine() -> Engine[Any]:
    found = engine_finder()
    if found is None:
        raise RuntimeError("piccolo_conf.DB is not set")
    return found


def write_transaction() -> Any:
    """A transaction for read-then-write work.

    SQLite's default DEFERRED transaction fails at once with "database is locked" when two
    writers upgrade their read lock together; IMMEDIATE takes the write lock up front and lets
    the busy timeout queue them.
    """
    db = engine()
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


def read_snapshot() -> Any:
    """One transaction for the several reads of a page: they see one state of the database.

    On SQLite it also means one connection (Piccolo opens one, with its thread, per statement
    outside a transaction); in WAL a reader neither waits for nor blocks a writer.
    """
    return engine().transaction(allow_nested=True)


def enable_wal(config: Settings = settings) -> None:
    """Switch an SQLite file to WAL (the setting persists in the file) so readers never block writers."""
    if not config.is_sqlite:
        return
    config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(config.sqlite_path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def check_reachable(config: Settings = settings) -> None:
    """Fail with a message naming DATABASE_URL when the database cannot be reached."""
    if config.is_sqlite:
        try:
            enable_wal(config)
        except sqlite3.Error as exc:
            raise SystemExit(f"DATABASE_URL: cannot open SQLite file {config.sqlite_path}: {exc}") from exc
        return

    async def probe() -> None:
        connection = await asyncpg.connect(config.database_url, timeout=5)
        await connection.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise SystemExit(f"DATABASE_URL: cannot connect to PostgreSQL ({exc}).") from exc
