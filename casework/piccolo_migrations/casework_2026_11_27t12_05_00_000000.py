"""Index the queue's filter and order: (district, state, id).

An officer's queue filters by district and state and orders by id; its counts group by state.
With only the district index, SQLite read every case row of the district (about 50k of 100k
in `make bench`) to check its state. Piccolo columns cannot declare multi-column indexes, so the
index is created here by hand; `CREATE INDEX IF NOT EXISTS` is valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from piccolo_conf import DB

ID = "2026-11-27T12:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index casework_case (district, state, id) for the queue"

INDEX = "casework_case_district_state_id"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="casework", description=DESCRIPTION)

    async def create_index() -> None:
        await DB.run_ddl(f"CREATE INDEX IF NOT EXISTS {INDEX} ON casework_case (district, state, id)")

    async def drop_index() -> None:
        await DB.run_ddl(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
