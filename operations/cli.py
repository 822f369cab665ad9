"""The operators' command line: `fuchi migrate | create-user | seed-demo | worker | scheduler | up | check`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import logging
import os
import sys
from typing import Any

from piccolo.apps.migrations.commands.forwards import forwards

from accounts.services import NewUser
from accounts.services import create_user as create_account
from core.config import settings
from core.db import check_reachable, enable_wal
from core.errors import Invalid
from core.jobs import JobKind, queue_name
from core.periodic import run_scheduler
from core.worker import WORKER_OPTIONS
from operations.demo import seed
from operations.schedule import PERIODIC
from operations.supervisor import Supervisor, answers, fuchi_programs


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
    """Replace this process with `rq worker` (Fuchi's worker class), with the scheduler for timed jobs."""
    rq = os.path.join(os.path.dirname(sys.executable), "rq")
    kinds = [JobKind(kind) for kind in args.queues.split(",")] if args.queues else list(JobKind)
    queues = [queue_name(kind) for kind in JobKind if kind in kinds]  # light first, whatever the order given
    command = [rq, "worker", *WORKER_OPTIONS, "--with-scheduler", "--url", settings.redis_url, *queues]
    if args.burst:
        command.insert(2, "--burst")
    os.execv(rq, command)


BANNER = """
  Fuchi (扶持) is running at http://127.0.0.1:{port}
  Health: http://127.0.0.1:{port}/health    API schema: http://127.0.0.1:{port}/schema
"""
DEMO_BANNER = """  Demo accounts, all with the password fuchi-demo:
    broker1   labour broker, 开州区          officer1  district officer, 开州区
    broker2   labour broker, 永川区          officer2  district officer, 永川区
    expert1 … expert9  the expert pool       city1     city officer
    admin1    administrator
  A spreadsheet to try the import with (as broker1): enterprises/sample_data/sample-enterprises-gbk.csv
  E-mail sent (users turn it on under E-mail) is kept by a local sink: read it as admin1 at /admin/mailbox
  Experts: officer1 has a backlog of triaged cases to match (one case each, or all at once under
  批量派单); expert1 has an offer waiting. In 永川区 an offer lapses 3 minutes after it is made and
  moves on to the next ranked expert (officer2 assigns).
  A measure reminder (expert1) and an outcome survey task (a broker) fall due in the first minutes.
"""


def up(args: argparse.Namespace) -> None:
    """Run the web server, workers and scheduler under one supervisor until Ctrl-C."""
    banner = BANNER.format(port=args.port) + (DEMO_BANNER if settings.demo else "") + "  Press Ctrl-C to stop.\n"
    supervisor = Supervisor(fuchi_programs(args.port, args.web_workers, mail_sink=settings.demo))
    # The banner waits for the web server to answer, so the address it gives works when read.
    supervisor.run(ready=answers(f"http://127.0.0.1:{args.port}/health"), on_ready=lambda: print(banner, flush=True))


# Further command groups, each a module with `add_commands(commands)` and `run(args) -> bool`
# (True when it handled args.command): security and account commands live beside what they act on.
COMMAND_GROUPS: tuple[str, ...] = ("operations.cli_audit", "operations.cli_security", "accounts.commands")


def _groups() -> list[Any]:
    return [importlib.import_module(name) for name in COMMAND_GROUPS]


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
    work.add_argument(
        "--queues",
        choices=["light", "heavy", "light,heavy"],
        help="the kinds of job to take (default: both, light first); run a light-only worker beside the others "
        "so that no import or export delays a reminder",
    )
    commands.add_parser("scheduler", help="run periodic work (the outbox sweep) until stopped")
    commands.add_parser("check", help="check that the database is reachable")
    run_all = commands.add_parser("up", help="run web server, workers and scheduler, restarting any that dies")
    run_all.add_argument("--port", type=int, default=settings.port)
    run_all.add_argument("--web-workers", type=int, default=1)
    groups = _groups()
    for group in groups:
        group.add_commands(commands)
    args = parser.parse_args(argv)
    if any(group.run(args) for group in groups):
        return
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
    elif args.command == "up":
        up(args)
    elif args.command == "check":
        check_reachable()
        print("database reachable")
