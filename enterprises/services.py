"""Enterprise services: register, change, read and reveal one enterprise within the user's reach; its needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accounts.policy import Action, Actor, may
from core import crypto
from core.audit import AuditKind, record_event
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.text import normalise_text
from enterprises.access import may_reach_enterprise, registration_districts
from enterprises.access_filter import reaches_through_others
from enterprises.classification import Urgency
from enterprises.duplicates.service import refuse_unconfirmed_duplicates
from enterprises.intake import ENTERPRISE_FIELDS, FieldWarning, clean_enterprise, clean_need
from enterprises.listing import DETAIL, SUMMARY, masked
from enterprises.phones import phone_on_record
from enterprises.records import apply_draft, create_enterprise, today
from enterprises.snapshots import latest_snapshots
from enterprises.tables import Enterprise, EnterpriseChange, Founder, Need, PersonalDataAccess

MERGED = "This record has been merged into another one."
STALE = (
    "This enterprise was changed by someone else while you were editing it; it is now at version {version}. "
    "Check what changed, then save again."
)
VERSION_REQUIRED = "Say which version of the enterprise you are changing (the version field or an If-Match header)."
MEANWHILE_SHOWN = 20  # the latest changes since the user's version; older ones are in the record's history

NeedCases = Callable[[Actor, list[int]], Awaitable[Mapping[int, Mapping[str, Any]]]]
"""`async def find(actor, need_ids) -> {need_id: {"case_id": …, "case_state": …}}` for the cases the actor reaches."""

_need_cases: dict[str, NeedCases] = {}


def register_need_cases(find: NeedCases) -> None:
    """Have `find` tell the enterprise page each need's case; casework registers it (enterprises cannot import it)."""
    _need_cases["cases"] = find


async def register_enterprise(actor: Actor, form: Mapping[str, str]) -> int:
    """Register an enterprise and its founder from a broker's form; returns the enterprise id."""
    return (await register_enterprise_warned(actor, form))[0]


async def register_enterprise_warned(actor: Actor, form: Mapping[str, str]) -> tuple[int, tuple[FieldWarning, ...]]:
    """Register as `register_enterprise` does; returns the id and what was assumed (a pilot credit code …)."""
    draft = clean_enterprise(form, registration_districts(actor), today())
    await refuse_unconfirmed_duplicates(actor, draft, form)  # PossibleDuplicates unless the broker confirmed
    async with write_transaction():
        return await create_enterprise(draft, actor.user_id), draft.warnings


async def update_enterprise(
    actor: Actor, enterprise_id: int, form: Mapping[str, str], expected_version: int | None
) -> dict[str, Any]:
    """Change an enterprise the actor may see from the whole edit form; returns field -> [before, after].

    The edit form never shows the founder's phone in full, so an empty phone keeps the one on record.
    `expected_version` is the version the form was filled from: `StaleEnterprise` if it moved on since.
    """
    return await _edit(actor, enterprise_id, expected_version, lambda existing: form)


async def change_enterprise(
    actor: Actor, enterprise_id: int, changes: Mapping[str, str], expected_version: int | None
) -> dict[str, Any]:
    """Change only the fields named in `changes`; the others, the phone and the ID number keep their value."""

    def form_of(existing: Mapping[str, Any]) -> dict[str, str]:
        form = {name: "" if existing.get(name) is None else str(existing[name]) for name in ENTERPRISE_FIELDS}
        form["founder_phone"] = form["founder_id_number"] = ""  # kept unless given
        form["industry"] = str(existing.get("industry_division") or form["industry"])  # the division, not only C
        return form | {name: value for name, value in changes.items() if name in ENTERPRISE_FIELDS}

    return await _edit(actor, enterprise_id, expected_version, form_of)


async def _edit(
    actor: Actor,
    enterprise_id: int,
    expected_version: int | None,
    form_of: Callable[[Mapping[str, Any]], Mapping[str, str]],
) -> dict[str, Any]:
    """The read, the version check, the write and its history entry, in one write transaction."""
    if not may(actor, Action.UPDATE_ENTERPRISE):
        raise NotAllowed()
    try:
        async with write_transaction():
            existing = await _row_in_scope(actor, enterprise_id)  # out of reach is NotFound, before any verdict
            if expected_version is None:
                raise VersionRequired()
            if existing["merged_into"] is not None:
                raise Conflict(MERGED)
            await _hold(existing, expected_version)
            return await _apply_form(actor, existing, form_of(existing))
    except _Stale:
        raise await _stale(enterprise_id, expected_version or 0) from None


async def _hold(existing: Mapping[str, Any], expected_version: int) -> None:
    """Hold the record (and its founder's other records, in id order) until the commit; `_Stale` if it moved on.

    The version in the WHERE makes a concurrent edit lose loudly instead of silently; on
    PostgreSQL the UPDATE also holds the row, so the second of two edits waits, then finds the
    version moved on. The version itself moves only if the edit changes something (`apply_draft`).
    """
    if existing["version"] != expected_version:
        raise _Stale()
    founder_id = existing["founder_id"]
    ids = [existing["id"]]
    if founder_id is not None:  # the founder's fields are edited through any of his enterprises
        ids = [row["id"] for row in await Enterprise.select(Enterprise.id).where(Enterprise.founder == founder_id)]
    for enterprise_id in sorted(ids):
        held = Enterprise.update({Enterprise.version: Enterprise.version}).where(Enterprise.id == enterprise_id)
        if enterprise_id == existing["id"]:
            held = held.where(Enterprise.version == expected_version)
        if not await held.returning(Enterprise.id) and enterprise_id == existing["id"]:
            raise _Stale()


async def _apply_form(actor: Actor, existing: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    if not str(form.get("founder_phone") or "").strip():
        form = {**form, "founder_phone": await phone_on_record(existing["founder_id"])}
    # An officer may correct a record of his district; a broker only within his own.
    districts = registration_districts(actor)
    draft = clean_enterprise(form, districts | {existing["district"]} if districts is not None else None, today())
    return await apply_draft(existing["id"], draft, actor.user_id)


class _Stale(Exception):
    """Raised inside the transaction to roll it back; turned into `StaleEnterprise` after it."""


class VersionRequired(Invalid):
    """An edit that does not say which version it was made from: it could undo changes unseen."""

    def __init__(self) -> None:
        super().__init__({"version": VERSION_REQUIRED}, VERSION_REQUIRED)


class StaleEnterprise(Conflict):
    """An edit made from a version that is no longer current, with what changed since it."""

    message = STALE

    def __init__(self, current_version: int, changed_meanwhile: list[dict[str, Any]]) -> None:
        super().__init__(STALE, version=current_version)
        self.current_version = current_version
        self.changed_meanwhile = changed_meanwhile


async def _stale(enterprise_id: int, expected_version: int) -> StaleEnterprise:
    row = await Enterprise.select(Enterprise.version).where(Enterprise.id == enterprise_id).first()
    meanwhile = (
        await EnterpriseChange.select(
            EnterpriseChange.kind,
            EnterpriseChange.changes,
            EnterpriseChange.created_at,
            EnterpriseChange.version,
            EnterpriseChange.actor.display_name.as_alias("actor_name"),
        )
        .where((EnterpriseChange.enterprise == enterprise_id) & (EnterpriseChange.version > expected_version))
        .order_by(EnterpriseChange.id, ascending=False)
        .limit(MEANWHILE_SHOWN)
        .output(load_json=True)
    )
    return StaleEnterprise(int(row["version"]) if row else 0, meanwhile[::-1])


NOT_FLAGGED = "This record is not waiting for a check against the business licence."
CONFIRM_LICENCE_CHECK = "Tick the box to confirm the code matches the business licence."


async def clear_licence_check(actor: Actor, enterprise_id: int, expected_version: int | None, confirmed: bool) -> int:
    """Clear the 核对营业执照 flag of a pilot credit code an officer has checked; returns the new version.

    The flag is cleared only from the version the officer looked at, so a code changed meanwhile is
    checked again, not waved through; the history records who checked it.
    """
    if not may(actor, Action.CLEAR_LICENCE_CHECK):
        raise NotAllowed()
    try:
        async with write_transaction():
            existing = await _row_in_scope(actor, enterprise_id)
            if expected_version is None:
                raise VersionRequired()
            if existing["merged_into"] is not None:
                raise Conflict(MERGED)
            if existing["version"] != expected_version:
                raise _Stale()
            if not existing["licence_check"]:
                raise Conflict(NOT_FLAGGED)
            if not confirmed:
                raise Invalid({"confirmed": CONFIRM_LICENCE_CHECK})
            version = expected_version + 1
            cleared = await (
                Enterprise.update(
                    {
                        Enterprise.licence_check: False,
                        Enterprise.version: version,
                        Enterprise.updated_at: datetime.now(UTC),
                    }
                )
                .where((Enterprise.id == enterprise_id) & (Enterprise.version == expected_version))
                .returning(Enterprise.id)
            )
            if not cleared:
                raise _Stale()
            await EnterpriseChange.insert(
                EnterpriseChange(
                    enterprise=enterprise_id,
                    actor=actor.user_id,
                    kind="licence_checked",
                    changes={"licence_check": [True, False]},
                    version=version,
                )
            )
            return version
    except _Stale:
        raise await _stale(enterprise_id, expected_version or 0) from None


async def _row_in_scope(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    row = await Enterprise.select(*SUMMARY, *DETAIL).where(Enterprise.id == enterprise_id).first()
    if row is None or not (may_reach_enterprise(actor, row) or await reaches_through_others(actor, enterprise_id)):
        raise NotFound()
    return dict(row)


async def get_enterprise(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    """One enterprise the actor may see; `NotFound` for one he may not (nothing is leaked)."""
    return masked(await _row_in_scope(actor, enterprise_id))


async def history(actor: Actor, enterprise_id: int) -> list[dict[str, Any]]:
    """Every change to an enterprise the actor may see, oldest first."""
    await get_enterprise(actor, enterprise_id)
    return await _history(enterprise_id)


async def _history(enterprise_id: int) -> list[dict[str, Any]]:
    return (
        await EnterpriseChange.select(
            EnterpriseChange.kind,
            EnterpriseChange.changes,
            EnterpriseChange.created_at,
            EnterpriseChange.actor.display_name.as_alias("actor_name"),
        )
        .where(EnterpriseChange.enterprise == enterprise_id)
        .order_by(EnterpriseChange.id)
        .output(load_json=True)
    )


async def enterprise_file(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    """All an enterprise's page shows, and what the actor may do there, after one check that he may see it."""
    return {
        "enterprise": await get_enterprise(actor, enterprise_id),
        "needs": await _with_cases(actor, await _needs_of(enterprise_id)),
        "changes": await _history(enterprise_id),
        "snapshots": await latest_snapshots(enterprise_id),
        "may_reveal": may(actor, Action.REVEAL_PERSONAL_DATA),
        "may_edit": may(actor, Action.UPDATE_ENTERPRISE),
        "may_file": may(actor, Action.FILE_NEED),
    }


async def _with_cases(actor: Actor, needs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each need with its case's id and state, where a case was filed for it that the actor reaches."""
    find = _need_cases.get("cases")
    if find is None or not needs:
        return needs
    cases = await find(actor, [need["id"] for need in needs])
    return [{**need, **cases.get(need["id"], {})} for need in needs]


@dataclass(frozen=True)
class Revealed:
    founder_name: str
    phone: str
    id_number: str


REASON_REQUIRED = "Say why you need the full value; the reveal is logged."


async def reveal_personal_data(actor: Actor, enterprise_id: int, reason: str) -> Revealed:
    """The founder's full phone and ID number, after the access is logged with who, whose, when and why."""
    if not may(actor, Action.REVEAL_PERSONAL_DATA):
        raise NotAllowed()
    row = await _row_in_scope(actor, enterprise_id)
    reason = normalise_text(reason)[:1000]
    if len(reason) < 2:
        raise Invalid({"reason": REASON_REQUIRED})
    # The log row is committed before the value is read, so no reveal goes unrecorded.
    async with write_transaction():
        await PersonalDataAccess.insert(
            PersonalDataAccess(founder=row["founder_id"], actor=actor.user_id, fields="phone,id_number", reason=reason)
        )
        # The reason stays in PersonalDataAccess: typed by the user, it may itself name people.
        await record_event(
            AuditKind.REVEAL,
            actor_id=actor.user_id,
            target=f"enterprise:{enterprise_id}",
            detail={"founder": row["founder_id"], "fields": "phone,id_number"},
        )
    founder = (
        await Founder.select(Founder.name, Founder.phone_cipher, Founder.id_number_cipher)
        .where(Founder.id == row["founder_id"])
        .first()
    )
    assert founder is not None  # the enterprise references it
    return Revealed(
        founder_name=founder["name"],
        phone=crypto.decrypt(founder["phone_cipher"]),
        id_number=crypto.decrypt(founder["id_number_cipher"]),
    )


@dataclass(frozen=True)
class RecordedNeed:
    """A need just recorded, with what the case filed for it takes from its enterprise."""

    need_id: int
    district: str
    urgency: Urgency


async def record_need(actor: Actor, enterprise_id: int, form: Mapping[str, str]) -> RecordedNeed:
    """Record a need of an enterprise the actor reaches, from his form (inside the caller's transaction)."""
    enterprise = await _row_in_scope(actor, enterprise_id)
    if enterprise["merged_into"] is not None:
        raise Conflict(MERGED)
    draft = clean_need(form)
    rows = await Need.insert(
        Need(
            enterprise=enterprise_id,
            category=draft.category,
            description=draft.description,
            urgency=draft.urgency,
            amount_sought=draft.amount_sought,
            filed_by=actor.user_id,
        )
    ).returning(Need.id)
    return RecordedNeed(need_id=rows[0]["id"], district=enterprise["district"], urgency=draft.urgency)


async def enterprise_needs(actor: Actor, enterprise_id: int) -> list[dict[str, Any]]:
    """The needs filed for an enterprise the actor reaches, oldest first."""
    await _row_in_scope(actor, enterprise_id)
    return await _needs_of(enterprise_id)


async def _needs_of(enterprise_id: int) -> list[dict[str, Any]]:
    return await Need.select().where(Need.enterprise == enterprise_id).order_by(Need.id)


async def founder_reveals(enterprise_id: int, since: datetime) -> list[dict[str, Any]]:
    """Reveals of an enterprise's founder's personal data since `since`, oldest first: who, when, which, why.

    For a caller that has checked the user reaches a record the reveals belong to (a case's timeline).
    """
    founder = Enterprise.select(Enterprise.founder).where(Enterprise.id == enterprise_id)
    return (
        await PersonalDataAccess.select(
            PersonalDataAccess.id,
            PersonalDataAccess.fields,
            PersonalDataAccess.reason,
            PersonalDataAccess.created_at,
            PersonalDataAccess.actor.display_name.as_alias("actor_name"),
        )
        .where(PersonalDataAccess.founder.is_in(founder) & (PersonalDataAccess.created_at >= since))
        .order_by(PersonalDataAccess.id)
    )
