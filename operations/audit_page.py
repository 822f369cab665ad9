"""`/admin/audit`: the audit trail of security events, filtered, paged and exported, for administrators.

Filters: the kind of event, the user who acted (by username), a date range in the bureau's time
zone, and text in the target. The export is the filtered rows as CSV, its text cells made safe
for spreadsheets (`core.spreadsheets`); exporting the trail is itself an event.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from litestar.response import Template
from piccolo.columns.combination import WhereRaw
from piccolo.engine.postgres import PostgresEngine

from accounts.guards import current_user
from accounts.policy import Action
from accounts.tables import User
from core.audit import AuditKind, record_event
from core.client import client_address
from core.config import settings
from core.db import engine
from core.pagination import Page, PageRequest
from core.spreadsheets import csv_row
from core.tables import AuditEvent
from core.web import page

PER_PAGE = 50
EXPORT_LIMIT = 100_000  # rows in one export: a year of a busy bureau's events
FILTERS = ("kind", "user", "since", "until", "target")
KIND_LABELS = {
    AuditKind.SIGN_IN_FAILED: "Failed sign-in",
    AuditKind.SIGN_IN_THROTTLED: "Sign-in slowed down",
    AuditKind.REFUSED: "Refused",
    AuditKind.REVEAL: "Personal data revealed",
    AuditKind.ACCOUNT_CHANGED: "Account changed",
    AuditKind.TOKEN_REVOKED: "Token revoked",
    AuditKind.EXPORT: "Export",
    AuditKind.DUPLICATE_CHECK: "Duplicate check",
    AuditKind.KEY_ROTATED: "Key rotated",
    AuditKind.BACKUP: "Backup",
}


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator asked for, checked; `errors` maps a field to its message id."""

    raw: dict[str, str]
    kind: AuditKind | None = None
    actor_id: int | None = None
    unknown_user: bool = False
    since: date | None = None
    until: date | None = None
    target: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def query_string(self) -> str:
        return urlencode({name: value for name, value in self.raw.items() if value})


def _date(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD."
        return None


async def read_filter(params: Mapping[str, str]) -> AuditFilter:
    """Check the filter fields; a wrong one gets a message and is left out of the query."""
    raw = {name: str(params.get(name, "") or "").strip()[:200] for name in FILTERS}
    errors: dict[str, str] = {}
    kind = None
    if raw["kind"]:
        try:
            kind = AuditKind(raw["kind"])
        except ValueError:
            errors["kind"] = "Choose a kind of event from the list."
    actor_id, unknown_user = None, False
    if raw["user"]:
        found = await User.select(User.id).where(User.username == raw["user"]).first()
        actor_id, unknown_user = (found["id"], False) if found else (None, True)
        if unknown_user:
            errors["user"] = "There is no user by that name."
    since = _date(raw["since"], "since", errors)
    until = _date(raw["until"], "until", errors)
    if since and until and since > until:
        errors["until"] = "The end date is before the start date."
        until = None
    return AuditFilter(raw, kind, actor_id, unknown_user, since, until, raw["target"], errors)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=settings.display_timezone).astimezone(UTC)


def _where(query: Any, wanted: AuditFilter) -> Any:
    if wanted.unknown_user:
        return query.where(AuditEvent.id < 0)  # a user who does not exist acted on nothing
    if wanted.kind:
        query = query.where(AuditEvent.kind == wanted.kind.value)
    if wanted.actor_id is not None:
        query = query.where(AuditEvent.actor_id == wanted.actor_id)
    if wanted.since:
        query = query.where(AuditEvent.at >= _local_midnight(wanted.since))
    if wanted.until:  # the whole of the last day
        query = query.where(AuditEvent.at < _local_midnight(wanted.until + timedelta(days=1)))
    if wanted.target:
        # A plain substring test: no LIKE, so `%` and `_` typed in mean themselves.
        function = "strpos" if isinstance(engine(), PostgresEngine) else "instr"
        query = query.where(WhereRaw(f"{function}(target, {{}}) > 0", wanted.target))
    return query


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    kind: str
    actor: str
    target: str
    detail: str
    source: str


async def _usernames(actor_ids: set[int]) -> dict[int, str]:
    if not actor_ids:
        return {}
    rows = await User.select(User.id, User.username).where(User.id.is_in(sorted(actor_ids)))
    return {row["id"]: row["username"] for row in rows}


def _detail_text(detail: Any) -> str:
    if not isinstance(detail, dict):
        return str(detail or "")
    return ", ".join(f"{key}={value}" for key, value in sorted(detail.items()))


async def _event_rows(query: Any) -> list[EventRow]:
    rows = await query.output(load_json=True)
    names = await _usernames({row["actor_id"] for row in rows if row["actor_id"] is not None})
    return [
        EventRow(
            id=row["id"],
            at=row["at"],
            kind=row["kind"],
            actor="" if row["actor_id"] is None else names.get(row["actor_id"], f"#{row['actor_id']}"),
            target=row["target"],
            detail=_detail_text(row["detail"]),
            source=row["source"],
        )
        for row in rows
    ]


async def audit_events(wanted: AuditFilter, paging: PageRequest) -> Page[EventRow]:
    """One page of the events the filter picks, newest first."""
    total = await _where(AuditEvent.count(), wanted)
    query = _where(AuditEvent.select(), wanted).order_by(AuditEvent.id, ascending=False)
    rows = await _event_rows(query.limit(paging.per_page).offset(paging.offset))
    return Page(items=rows, request=paging, total=total)


CSV_HEADER = ("id", "time", "kind", "user", "target", "detail", "source")


async def export_audit_events(wanted: AuditFilter, *, actor_id: int, source: str) -> tuple[str, int]:
    """The filtered events as CSV text (newest first, at most EXPORT_LIMIT), and how many rows; audited."""
    query = _where(AuditEvent.select(), wanted).order_by(AuditEvent.id, ascending=False).limit(EXPORT_LIMIT)
    rows = await _event_rows(query)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        at = row.at.astimezone(settings.display_timezone).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow(csv_row([row.id, at, row.kind, row.actor, row.target, row.detail, row.source]))
    filters = {name: value for name, value in wanted.raw.items() if value}
    await record_event(
        AuditKind.EXPORT, actor_id=actor_id, target="audit", detail={"rows": len(rows), **filters}, source=source
    )
    return out.getvalue(), len(rows)


async def _events_page(request: Request[Any, Any, Any], wanted: AuditFilter, page_number: int) -> Template:
    events = await audit_events(wanted, PageRequest(page=page_number, per_page=PER_PAGE))
    return page(
        request,
        "admin/audit.html",
        status_code=422 if wanted.errors else 200,
        events=events,
        wanted=wanted,
        kinds=[(kind.value, KIND_LABELS[kind]) for kind in AuditKind],
        kind_labels={kind.value: label for kind, label in KIND_LABELS.items()},
    )


PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=1_000_000)]


class AuditController(Controller):
    """The administrators' page of security events."""

    include_in_schema = False  # pages, not API
    path = "/admin/audit"
    opt = {"action": Action.VIEW_AUDIT}

    @get("/")
    async def events(self, request: Request[Any, Any, Any], page_number: PageNumber = 1) -> Template:
        return await _events_page(request, await read_filter(request.query_params), page_number)

    @get("/export.csv")
    async def export(self, request: Request[Any, Any, Any]) -> Response[bytes] | Template:
        wanted = await read_filter(request.query_params)
        if wanted.errors:  # the page with its messages, the form kept
            return await _events_page(request, wanted, 1)
        text, _ = await export_audit_events(
            wanted, actor_id=current_user(request).id, source=client_address(request.scope)
        )
        stamp = datetime.now(settings.display_timezone).strftime("%Y%m%d-%H%M")
        return Response(
            text.encode("utf-8-sig"),  # the BOM tells Excel the file is UTF-8
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
                "Cache-Control": "no-store",
            },
        )
