"""Expert pool services: listing and reading the pool, the city's edits, an expert's own profile, conflicts.

Experts never import casework; how many active cases an expert leads lives there, so casework
hands its counter over at assembly (`register_load_counter`), as it hands the merge its mover.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw

from accounts.policy import Actor, Role
from accounts.tables import User
from core.config import bureau_today
from core.db import write_transaction
from core.errors import Invalid, NotFound
from core.pagination import Page, PageRequest
from core.text import like_literal
from enterprises.tables import Enterprise, Founder
from experts.profile_rules import (
    CITY_FIELDS,
    OWN_FIELDS,
    FormValue,
    Load,
    away_text,
    load_text,
    parse_conflict,
    parse_profile,
)
from experts.tables import Expert, ExpertConflict

LoadCounter = Callable[[Collection[int]], Awaitable[Mapping[int, int]]]
"""`async def count(expert_ids) -> {expert_id: active cases he leads}`; experts missing count 0."""

NO_EXPERT_PROFILE = "Your account is not linked to an expert of the pool. Ask the city bureau to link it."
USER_NOT_FOUND = "No expert account has this username."
USER_TAKEN = "This account is already linked to another expert."
ENTERPRISE_NOT_FOUND = "No enterprise has this number or credit code."
FOUNDER_NOT_FOUND = "No founder has this number."

_load_counter: LoadCounter | None = None


def register_load_counter(count: LoadCounter) -> None:
    """Have `count` tell each expert's active load (casework registers it; without it every load is 0)."""
    global _load_counter
    _load_counter = count


def unregister_load_counter() -> None:
    global _load_counter
    _load_counter = None


async def active_loads(expert_ids: Collection[int]) -> dict[int, int]:
    if _load_counter is None or not expert_ids:
        return {}
    return dict(await _load_counter(expert_ids))


today = bureau_today  # one definition, in core.config


@dataclass(frozen=True)
class ExpertFilter:
    """The pool's filters: a need category he leads or supports, a district he serves, his availability."""

    specialty: str = ""
    district: str = ""
    availability: str = ""  # "available" (taking cases), "away" (away or not taking cases), "" any


AVAILABILITY_OPTIONS = (("available", "Taking cases"), ("away", "Away or not taking cases"))

_COLUMNS = (
    Expert.id,
    Expert.name,
    Expert.organisation,
    Expert.title,
    Expert.specialties,
    Expert.supporting_specialties,
    Expert.industries,
    Expert.districts,
    Expert.capacity,
    Expert.available,
    Expert.away_until,
    Expert.bio,
    Expert.user,
    Expert.user.username.as_alias("username"),
    Expert.updated_at,
)


def _json_has(column: str, value: str) -> Any:
    # JSON lists are stored as text on SQLite and json on PostgreSQL; both compare as text the same.
    # The value is escaped (a typed "%" or "_" is no wildcard) and the ESCAPE clause names the escape.
    return WhereRaw(f"CAST({column} AS TEXT) LIKE {{}} ESCAPE '\\'", f'%"{like_literal(value)}"%')


def _json_is(column: str, text: str) -> Any:
    return WhereRaw(f"CAST({column} AS TEXT) = {{}}", text)


def _where(found: ExpertFilter, on: date) -> list[Any]:
    conditions: list[Any] = []
    if found.specialty:
        conditions.append(
            _json_has("experts_expert.specialties", found.specialty)
            | _json_has("experts_expert.supporting_specialties", found.specialty)
        )
    if found.district:
        city_wide = _json_is("experts_expert.districts", "[]")
        conditions.append(_json_has("experts_expert.districts", found.district) | city_wide)
    if found.availability == "available":
        conditions.append((Expert.available == True) & (Expert.away_until.is_null() | (Expert.away_until < on)))  # noqa: E712
    elif found.availability == "away":
        conditions.append((Expert.available == False) | (Expert.away_until >= on))  # noqa: E712
    return conditions


def _shown(row: dict[str, Any], load: int, on: date) -> dict[str, Any]:
    away = row["away_until"] is not None and row["away_until"] >= on
    return {
        **row,
        "load": load,
        "load_text": load_text(load, row["capacity"]),
        "full": load >= row["capacity"],
        "away": away,
        "taking_cases": row["available"] and not away and load < row["capacity"],
    }


async def list_experts(
    request: PageRequest, found: ExpertFilter = ExpertFilter(), on: date | None = None
) -> Page[dict[str, Any]]:
    """A page of the pool, filtered, each expert with his active load."""
    on = on or today()
    conditions = _where(found, on)
    query = Expert.select(*_COLUMNS).output(load_json=True)
    counting = Expert.count()
    for condition in conditions:
        query = query.where(condition)
        counting = counting.where(condition)
    rows = await query.order_by(Expert.id).limit(request.per_page).offset(request.offset)
    loads = await active_loads([row["id"] for row in rows])
    return Page(items=[_shown(row, loads.get(row["id"], 0), on) for row in rows], request=request, total=await counting)


async def _row(expert_id: int) -> dict[str, Any]:
    row = await Expert.select(*_COLUMNS).where(Expert.id == expert_id).output(load_json=True).first()
    if row is None:
        raise NotFound()
    return row


async def conflicts_of(expert_id: int) -> list[dict[str, Any]]:
    return await (
        ExpertConflict.select(
            ExpertConflict.id,
            ExpertConflict.kind,
            ExpertConflict.note,
            ExpertConflict.enterprise,
            ExpertConflict.enterprise.name.as_alias("enterprise_name"),
            ExpertConflict.founder,
            ExpertConflict.founder.name.as_alias("founder_name"),
            ExpertConflict.created_at,
        )
        .where(ExpertConflict.expert == expert_id)
        .order_by(ExpertConflict.id)
    )


async def get_expert(expert_id: int, on: date | None = None) -> dict[str, Any]:
    """One expert: his profile, active load and declared conflicts."""
    on = on or today()
    row = await _row(expert_id)
    loads = await active_loads([expert_id])
    return {**_shown(row, loads.get(expert_id, 0), on), "conflicts": await conflicts_of(expert_id)}


async def _linked_user(username: str, expert_id: int | None) -> int | None:
    """The expert account named by `username` (None for none); refused if not an expert or linked elsewhere."""
    if not username:
        return None
    user = await User.select(User.id).where((User.username == username) & (User.role == Role.EXPERT)).first()
    if user is None:
        raise Invalid({"username": USER_NOT_FOUND})
    taken = Expert.exists().where(Expert.user == user["id"])
    if expert_id is not None:
        taken = taken.where(Expert.id != expert_id)
    if await taken:
        raise Invalid({"username": USER_TAKEN})
    return int(user["id"])


def _columns(values: Mapping[str, object]) -> dict[Column | str, Any]:
    return {name: value for name, value in values.items()}


def _username(form: Mapping[str, FormValue]) -> str:
    value = form.get("username") or ""
    return (value if isinstance(value, str) else (value[0] if value else "")).strip()


async def _checked(form: Mapping[str, FormValue], on: date, load: Load, expert_id: int | None) -> dict[str, object]:
    """The profile's columns and the linked account, every bad field named at once."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    try:
        values = parse_profile(form, CITY_FIELDS, on, load)
    except Invalid as error:
        errors.update(error.errors)
    try:
        values["user"] = await _linked_user(_username(form), expert_id)
    except Invalid as error:
        errors.update(error.errors)
    if errors:
        raise Invalid(errors)
    return values


async def create_expert(actor: Actor, form: Mapping[str, FormValue], on: date | None = None) -> int:
    """Add an expert to the pool (MANAGE_EXPERTS, checked by the route)."""
    async with write_transaction():
        values = await _checked(form, on or today(), Load(), None)
        rows = await Expert.insert(Expert(**values)).returning(Expert.id)  # type: ignore[arg-type]
    return int(rows[0]["id"])


async def update_expert(actor: Actor, expert_id: int, form: Mapping[str, FormValue], on: date | None = None) -> None:
    """Change an expert's profile; his capacity may not fall below the cases he leads now."""
    await _row(expert_id)
    loads = await active_loads([expert_id])
    async with write_transaction():
        values = await _checked(form, on or today(), Load(loads.get(expert_id, 0)), expert_id)
        await Expert.update({**_columns(values), Expert.updated_at: datetime.now(UTC)}).where(Expert.id == expert_id)


async def own_expert_id(actor: Actor) -> int:
    """The pool's record of the signed-in expert."""
    row = await Expert.select(Expert.id).where(Expert.user == actor.user_id).first()
    if row is None:
        raise NotFound(NO_EXPERT_PROFILE)
    return int(row["id"])


async def own_profile(actor: Actor, on: date | None = None) -> dict[str, Any]:
    return await get_expert(await own_expert_id(actor), on)


async def update_own_profile(actor: Actor, form: Mapping[str, FormValue], on: date | None = None) -> None:
    """The expert changes his availability, capacity, away-until date and bio, and nothing else."""
    expert_id = await own_expert_id(actor)
    current = await _row(expert_id)
    # The API may send only what changes; the rest keeps its value.
    merged: dict[str, FormValue] = {
        "capacity": str(current["capacity"]),
        "available": "yes" if current["available"] else "no",
        "away_until": away_text(current["away_until"], on or today()),
        "bio": current["bio"],
        **{name: value for name, value in form.items() if name in OWN_FIELDS},
    }
    loads = await active_loads([expert_id])
    values = parse_profile(merged, OWN_FIELDS, on or today(), Load(loads.get(expert_id, 0)))
    async with write_transaction():
        await Expert.update({**_columns(values), Expert.updated_at: datetime.now(UTC)}).where(Expert.id == expert_id)


async def _conflict_target(target: str, is_founder: bool) -> tuple[int | None, int | None]:
    if is_founder:
        founder = (
            await Founder.select(Founder.id).where(Founder.id == int(target)).first()
            if target.isdigit() and len(target) < 10
            else None
        )
        if founder is None:
            raise Invalid({"founder": FOUNDER_NOT_FOUND})
        return None, int(founder["id"])
    if target.isdigit() and len(target) < 10:
        found = await Enterprise.select(Enterprise.id).where(Enterprise.id == int(target)).first()
    else:
        found = await Enterprise.select(Enterprise.id).where(Enterprise.credit_code == target.upper()).first()
    if found is None:
        raise Invalid({"enterprise": ENTERPRISE_NOT_FOUND})
    return int(found["id"]), None


async def declare_conflict(actor: Actor, expert_id: int, form: Mapping[str, FormValue]) -> int:
    """Record an enterprise (by number or credit code) or a founder (by number) the expert must not advise."""
    await _row(expert_id)
    kind, note, target = parse_conflict(form)
    founder_text = form.get("founder") or ""
    enterprise_id, founder_id = await _conflict_target(
        target, is_founder=not form.get("enterprise") and bool(founder_text)
    )
    async with write_transaction():
        rows = await ExpertConflict.insert(
            ExpertConflict(
                expert=expert_id,
                enterprise=enterprise_id,
                founder=founder_id,
                kind=kind.value,
                note=note,
                declared_by=actor.user_id,
            )
        ).returning(ExpertConflict.id)
    return int(rows[0]["id"])


async def remove_conflict(actor: Actor, expert_id: int, conflict_id: int) -> None:
    async with write_transaction():
        gone = await (
            ExpertConflict.delete()
            .where((ExpertConflict.id == conflict_id) & (ExpertConflict.expert == expert_id))
            .returning(ExpertConflict.id)
        )
    if not gone:
        raise NotFound()
