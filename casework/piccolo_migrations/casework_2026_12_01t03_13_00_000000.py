"""Indexes the case life reads by, and one live lead expert per case.

- At most one lead assignment offered or accepted per case: a partial unique index, so two
  officers assigning at once cannot both succeed (valid on SQLite and PostgreSQL).
- The timeline reads a case's events in id order; the broker's cases and tasks are read by owner.
Piccolo columns cannot declare multi-column or partial indexes, so they are created here by hand.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from piccolo_conf import DB

ID = "2026-12-01T03:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one live lead per case; timeline, my-cases and my-tasks indexes"

INDEXES = {
    "casework_assignment_one_live_lead": (
        "CREATE UNIQUE INDEX IF NOT EXISTS casework_assignment_one_live_lead ON casework_assignment (\"case\") "
        "WHERE role = 'lead' AND status IN ('offered', 'accepted')"
    ),
    "casework_case_event_case_id": "CREATE INDEX IF NOT EXISTS casework_case_event_case_id ON casework_case_event (\"case\", id)",
    "casework_case_filed_by_id": "CREATE INDEX IF NOT EXISTS casework_case_filed_by_id ON casework_case (filed_by, id)",
    "casework_task_broker_status_due": (
        "CREATE INDEX IF NOT EXISTS casework_task_broker_status_due ON casework_task (broker, status, due_on)"
    ),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="casework", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in INDEXES.values():
            await DB.run_ddl(statement)

    async def drop_indexes() -> None:
        for name in INDEXES:
            await DB.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
