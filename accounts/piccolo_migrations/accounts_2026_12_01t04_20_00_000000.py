"""Index a user's unread messages: the count in every page's header.

`accounts.identity.user_from_session` counts the signed-in user's messages with `read_at IS NULL` on every
page. With only the `user` index, that count visits every message the user ever got: a district officer is
told of each case filed in his district and each plan submitted, so at 1,000,000 cases (`make bench`) officer1
has 167,467 messages, and the count took 660-820 ms on SQLite, on every page. A partial index holds only the
unread ones (230 of them): 0.02 ms. `CREATE INDEX ... WHERE` is valid on SQLite and PostgreSQL; Piccolo columns
cannot declare partial indexes, so it is created here by hand.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from piccolo_conf import DB

ID = "2026-12-01T04:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index accounts_notification (user) WHERE read_at IS NULL for the unread count"

INDEX = "accounts_notification_unread"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def create_index() -> None:
        await DB.run_ddl(f'CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_notification ("user") WHERE read_at IS NULL')

    async def drop_index() -> None:
        await DB.run_ddl(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
