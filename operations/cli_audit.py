"""`fuchi audit verify | list`: check the audit trail's hash chain, read recent events."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from core.audit import AuditKind, verify_chain
from core.config import settings
from core.tables import AuditEvent

LIST_LIMIT = 200


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="the audit trail of security events")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    actions.add_parser("verify", help="walk the hash chain; exit 1 naming the first broken event")
    listing = actions.add_parser("list", help=f"the latest events (at most {LIST_LIMIT}), newest first")
    listing.add_argument("--kind", choices=[kind.value for kind in AuditKind])
    listing.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD, in the bureau's time zone")


def run(args: argparse.Namespace) -> bool:
    if args.command != "audit":
        return False
    if args.audit_command == "verify":
        verify()
    else:
        print_events(args.kind, args.since)
    return True


def verify() -> None:
    report = asyncio.run(verify_chain())
    if not report.intact:
        sys.exit(f"audit trail broken at event {report.broken_id}: {report.reason} ({report.events} events read)")
    print(f"{report.events} events, chain intact")


def print_events(kind: str | None, since: date | None) -> None:
    query = AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(LIST_LIMIT).output(load_json=True)
    if kind:
        query = query.where(AuditEvent.kind == kind)
    if since:
        start = datetime.combine(since, time.min, tzinfo=settings.display_timezone).astimezone(UTC)
        query = query.where(AuditEvent.at >= start)
    for row in asyncio.run(_run(query)):
        at = row["at"].astimezone(settings.display_timezone).strftime("%Y-%m-%d %H:%M:%S")
        actor = row["actor_id"] if row["actor_id"] is not None else "-"
        detail = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        print(f"{row['id']}\t{at}\t{row['kind']}\tactor {actor}\t{row['target']}\t{detail}\t{row['source']}")


async def _run(query: Any) -> list[dict[str, Any]]:
    return list(await query)
