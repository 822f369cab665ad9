"""Operators' commands for the data's safety: `fuchi backup`, `fuchi restore`, `fuchi rotate-key`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from core import crypto
from operations.backups import BackupError, backup, restore
from operations.key_rotation import request_rotation, rotate

COMMANDS = ("backup", "restore", "rotate-key")


def add_commands(commands: Any) -> None:
    save = commands.add_parser(
        "backup",
        help="copy the whole database to a file (SQLite: online backup; PostgreSQL: pg_dump -Fc); "
        "its personal data can be read only with SECRET_KEY",
    )
    save.add_argument("path", nargs="?", type=Path, help="the file to write (default: FUCHI_VAR_DIR/backups/…)")
    back = commands.add_parser(
        "restore", help="replace the database with a backup (PostgreSQL: pg_restore --clean); stop the app first"
    )
    back.add_argument("path", type=Path, help="a file written by `fuchi backup`")
    back.add_argument("--force", action="store_true", help="overwrite a database that holds data")
    rekey = commands.add_parser(
        "rotate-key",
        help="re-encrypt personal data under SECRET_KEY (the old key in FUCHI_OLD_SECRET_KEYS) in a background job",
    )
    rekey.add_argument("--wait", action="store_true", help="do it here and now instead of in a worker")


def run(args: argparse.Namespace) -> bool:
    """Run the command if it is one of ours; True when it was."""
    if args.command not in COMMANDS:
        return False
    try:
        if args.command == "backup":
            done = asyncio.run(backup(args.path))
            print(f"backup written: {done.path} ({done.size} bytes). Keep SECRET_KEY safe and apart from it.")
        elif args.command == "restore":
            done = asyncio.run(restore(args.path, force=args.force))
            print(f"restored from {done.path}. Run `fuchi migrate` if this release is newer than the backup.")
        else:
            rotate_key(args)
    except BackupError as error:
        sys.exit(f"{args.command}: {error}")
    return True


def rotate_key(args: argparse.Namespace) -> None:
    crypto.reload_keys()
    if args.wait:
        report = asyncio.run(rotate())
        for table, tally in report.tables.items():
            print(f"  {table}: {tally.rows} rows read, {tally.changed} rewritten, {tally.skipped} changed meanwhile")
        print("done: every encrypted value is under SECRET_KEY; the old keys can leave FUCHI_OLD_SECRET_KEYS.")
        return
    job, done = asyncio.run(request_rotation())
    if done:
        print(f"the rotation to this key ran already ({job}); `fuchi rotate-key --wait` runs it again here.")
    else:
        print(f"queued {job} for a worker (`fuchi worker`); its progress is in the worker's log.")
