"""Make the audit trail append-only in the database too: a trigger refuses to change its rows.

On PostgreSQL a row trigger refuses UPDATE and DELETE (TRUNCATE, a table owner's act, fires no
row trigger: the tests empty tables with it). On SQLite the trigger refuses UPDATE only, because
the tests empty every table with DELETE; a removed row still breaks the hash chain. Raw steps run
before a migration's tables are added, hence this second migration after the one adding the table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from core.db import engine

ID = "2026-12-02T16:06:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "refuse UPDATE (and DELETE on PostgreSQL) of core_audit_event rows"

TRIGGER = "core_audit_event_append_only"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_trigger() -> None:
        db = engine()  # the configured engine, found the way every query finds it
        if isinstance(db, PostgresEngine):
            await db.run_ddl(
                f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'core_audit_event is append-only'; END $$"
            )
            await db.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER} ON core_audit_event")
            await db.run_ddl(
                f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON core_audit_event "
                f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
            )
        else:
            await db.run_ddl(
                f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} BEFORE UPDATE ON core_audit_event "
                "BEGIN SELECT RAISE(ABORT, 'core_audit_event is append-only'); END"
            )

    async def drop_trigger() -> None:
        db = engine()
        if isinstance(db, PostgresEngine):
            await db.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER} ON core_audit_event")
            await db.run_ddl(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
        else:
            await db.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER}")

    manager.add_raw(create_trigger)
    manager.add_raw_backwards(drop_trigger)
    return manager
