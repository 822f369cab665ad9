"""Enterprise services: register, change, read and reveal one enterprise within the user's reach; its needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts.policy import Action, Actor, may
from core import crypto
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.text import normalise_text
from enterprises.access import may_reach_enterprise, registration_districts
from enterprises.access_filter import reaches_through_others
from enterprises.classification import Urgency
from enterprises.duplicates.service import refuse_unconfirmed_duplicates
from enterprises.intake import ENTERPRISE_FIELDS, clean_enterprise, clean_need
from enterprises.listing import DETAIL, SUMMARY, masked
from enterprises.records import apply_draft, create_enterprise, today
from enterprises.snapshots import latest_snapshots
from enterprises.tables import Enterprise, EnterpriseChange, Founder, Need, PersonalDataAccess

MERGED = "This record has been merged into another one."

NeedCases = Callable[[Actor, list[int]], Awaitable[Mapping[int, Mapping[str, Any]]]]
"""`async def find(actor, need_ids) -> {need_id: {"case_id": …, "case_state": …}}` for the cases the actor reaches."""

_need_cases: dict[str, NeedCases] = {}


def register_need_cases(find: NeedCases) -> None:
    """Have `find` tell the enterprise page each need's case; casework registers it (enterprises cannot import it)."""
    _need_cases["cases"] = find


async def register_enterprise(actor: Actor, form: Mapping[str, str]) -> int:
    """Register an enterprise and its founder from a broker's form; returns the enterprise id."""
    draft = clean_enterprise(form, registration_districts(actor), today())
    await refuse_unconfirmed_duplicates(actor, draft, form)  # PossibleDuplicates unless the broker confirmed
    async with write_transaction():
        return await create_enterprise(draft, actor.user_id)


async def update_enterprise(actor: Actor, enterprise_id: int, form: Mapping[str, str]) -> dict[str, Any]:
    """Change an enterprise the actor may see from the whole edit form; returns field -> [before, after].

    The edit form never shows the founder's phone in full, so an empty phone keeps the one on record.
    """
    existing = await _editable(actor, enterprise_id)
    return await _apply_form(actor, existing, form)


async def change_enterprise(actor: Actor, enterprise_id: int, changes: Mapping[str, str]) -> dict[str, Any]:
    """Change only the fields named in `changes`; the others, the phone and the ID number keep their value."""
    existing = await _editable(actor, enterprise_id)
    form = {name: "" if existing.get(name) is None else str(existing[name]) for name in ENTERPRISE_FIELDS}
    form["founder_phone"] = form["founder_id_number"] = ""  # kept unless given
    form |= {name: value for name, value in changes.items() if name in ENTERPRISE_FIELDS}
    return await _apply_form(actor, existing, form)


async def _editable(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    if not may(actor, Action.UPDATE_ENTERPRISE):
        raise NotAllowed()
    existing = await _row_in_scope(actor, enterprise_id)
    if existing["merged_into"] is not None:
        raise Conflict(MERGED)
    return existing


async def _apply_form(actor: Actor, existing: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    if not str(form.get("founder_phone") or "").strip():
        form = {**form, "founder_phone": existing["founder_phone"]}
    # An officer may correct a record of his district; a broker only within his own.
    districts = registration_districts(actor)
    draft = clean_enterprise(form, districts | {existing["district"]} if districts is not None else None, today())
    async with write_transaction():
        return await apply_draft(existing["id"], draft, actor.user_id)


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
    founder = (
        await Founder.select(Founder.name, Founder.phone, Founder.id_number_cipher)
        .where(Founder.id == row["founder_id"])
        .first()
    )
    assert founder is not None  # the enterprise references it
    return Revealed(
        founder_name=founder["name"],
        phone=founder["phone"],
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
