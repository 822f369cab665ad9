"""The operators' command line: `fuchi migrate | create-user | seed-demo | worker | scheduler | check`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys

from piccolo.apps.migrations.commands.forwards import forwards

from accounts.services import NewUser
from accounts.services import create_user as create_account
from core.config import settings
from core.db import check_reachable, enable_wal
from core.errors import Invalid
from core.periodic import run_scheduler
from operations.demo import seed
from operations.schedule import PERIODIC


def migrate() -> None:
    check_reachable()
    enable_wal()
    asyncio.run(forwards(app_name="all"))


def create_user(args: argparse.Namespace) -> None:
    password = os.environ.get("FUCHI_PASSWORD") or getpass.getpass("Password: ")
    try:
        user_id = asyncio.run(
            create_account(NewUser(args.username, args.name or args.username, password, args.role, args.district or ""))
        )
    except Invalid as error:
        sys.exit("; ".join(f"{field}: {message}" for field, message in error.errors.items()))
    print(f"created user {args.username} (id {user_id})")


def seed_demo() -> None:
    print(asyncio.run(seed()))


def worker(args: argparse.Namespace) -> None:
    """Replace this process with the plain `rq worker`, with the scheduler for timed jobs."""
    rq = os.path.join(os.path.dirname(sys.executable), "rq")
    command = [rq, "worker", "--with-scheduler", "--url", settings.redis_url, settings.queue_name]
    if args.burst:
        command.insert(2, "--burst")
    os.execv(rq, command)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="fuchi", description="Fuchi operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the database tables")
    user = commands.add_parser("create-user", help="create an account (password from FUCHI_PASSWORD or a prompt)")
    user.add_argument("username")
    user.add_argument(
        "--role", required=True, choices=["broker", "expert", "district_officer", "city_officer", "admin"]
    )
    user.add_argument("--district", help="GB/T 2260 code, for brokers and district officers")
    user.add_argument("--name", help="display name")
    commands.add_parser("seed-demo", help="seed the demo world (demo mode only)")
    work = commands.add_parser("worker", help="run an rq worker with its scheduler")
    work.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    commands.add_parser("scheduler", help="run periodic work (the outbox sweep) until stopped")
    commands.add_parser("check", help="check that the database is reachable")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        migrate()
    elif args.command == "create-user":
        create_user(args)
    elif args.command == "seed-demo":
        if not settings.demo:
            sys.exit("seed-demo runs only in demo mode (FUCHI_DEMO=1): it creates accounts with a known password.")
        seed_demo()
    elif args.command == "worker":
        worker(args)
    elif args.command == "scheduler":
        run_scheduler(PERIODIC)
    elif args.command == "check":
        check_reachable()
        print("database reachable")
