"""JSON API of the expert pool: the list and one expert (officers), the city's edits, an expert's own profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromQuery, JSONBody, KwargDefinition, QueryParameter
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, Paginated, RowId, error_responses, paginated
from core.pagination import PageRequest
from enterprises.classification import NeedCategory
from experts import services
from experts.profile_rules import MAX_BIO, MAX_CAPACITY, MAX_NAME, MAX_ORGANISATION, MAX_TITLE, FormValue, away_text

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]
ERRORS = error_responses(401, 403, 404, 409, 422)

# Litestar drops a falsy bound (ge=0) from the schema, and a bound stated through `schema_extra` (a dict)
# cannot sit in a union (`| None`): "more than -1" publishes the same bound for a whole number.
Capacity = Annotated[int, Meta(ge=0, le=MAX_CAPACITY), KwargDefinition(gt=-1, le=MAX_CAPACITY)]
Name = Annotated[str, Meta(min_length=1, max_length=MAX_NAME), KwargDefinition(min_length=1, max_length=MAX_NAME)]
Organisation = Annotated[str, Meta(max_length=MAX_ORGANISATION), KwargDefinition(max_length=MAX_ORGANISATION)]
Title = Annotated[str, Meta(max_length=MAX_TITLE), KwargDefinition(max_length=MAX_TITLE)]
Bio = Annotated[str, Meta(max_length=MAX_BIO), KwargDefinition(max_length=MAX_BIO)]
Section = Annotated[str, Meta(min_length=1, max_length=1), KwargDefinition(min_length=1, max_length=1)]
DistrictCode = Annotated[str, Meta(min_length=6, max_length=6), KwargDefinition(min_length=6, max_length=6)]
Username = Annotated[str, Meta(max_length=64), KwargDefinition(max_length=64)]
# "" clears the date; YYYY-MM-DD sets it (checked by the same rules as the form).
AwayUntil = Annotated[str, Meta(max_length=10), KwargDefinition(max_length=10)]
Categories = Annotated[list[NeedCategory], Meta(max_length=20), KwargDefinition(max_items=20)]
Sections = Annotated[list[Section], Meta(max_length=30), KwargDefinition(max_items=30)]
Districts = Annotated[list[DistrictCode], Meta(max_length=40), KwargDefinition(max_items=40)]


class Availability(StrEnum):
    AVAILABLE = "available"  # taking cases: not marked unavailable, not away
    AWAY = "away"  # away, or not taking cases


@dataclass
class Expert:
    id: int
    name: str
    organisation: str
    title: str
    specialties: list[str]
    supporting_specialties: list[str]
    industries: list[str]
    districts: list[str]
    capacity: int
    load: int
    available: bool
    away_until: date | None
    bio: str
    username: str | None


@dataclass
class ExpertCreate:
    """A new expert of the pool; `districts` empty means city-wide; `username` links an expert account."""

    name: Name
    organisation: Organisation = ""
    title: Title = ""
    specialties: Categories | None = None
    supporting_specialties: Categories | None = None
    industries: Sections | None = None
    districts: Districts | None = None
    capacity: Capacity = 5
    available: bool = True
    away_until: AwayUntil = ""
    bio: Bio = ""
    username: Username = ""


@dataclass
class ExpertUpdate:
    """Fields to change; omitted ones keep their value."""

    name: Name | None = None
    organisation: Organisation | None = None
    title: Title | None = None
    specialties: Categories | None = None
    supporting_specialties: Categories | None = None
    industries: Sections | None = None
    districts: Districts | None = None
    capacity: Capacity | None = None
    available: bool | None = None
    away_until: AwayUntil | None = None
    bio: Bio | None = None
    username: Username | None = None


@dataclass
class ExpertProfileUpdate:
    """What an expert changes of his own profile; omitted fields keep their value."""

    capacity: Capacity | None = None
    available: bool | None = None
    away_until: AwayUntil | None = None
    bio: Bio | None = None


def expert_out(row: dict[str, Any]) -> Expert:
    return Expert(**{name: row[name] for name in Expert.__dataclass_fields__})


def _values(data: Any) -> dict[str, Any]:
    # msgspec leaves a defaulted field off the instance's __dict__: read each field by name.
    return {name: getattr(data, name) for name in data.__dataclass_fields__}


def _as_form(values: dict[str, Any]) -> dict[str, FormValue]:
    """The API's values as the form sends them: one parser (`experts.profile_rules`) checks both."""
    form: dict[str, FormValue] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            form[name] = "yes" if value else "no"
        elif isinstance(value, list):
            form[name] = [str(item) for item in value]
        elif isinstance(value, date):
            form[name] = value.isoformat()
        else:
            form[name] = str(value)
    return form


def _current_form(row: dict[str, Any]) -> dict[str, FormValue]:
    values = {name: row[name] for name in ExpertUpdate.__dataclass_fields__} | {"username": row["username"] or ""}
    return _as_form(values) | {"away_until": away_text(row["away_until"], services.today())}


class ExpertApi(Controller):
    path = f"{API_V1}/experts"
    tags = ["experts"]
    security = BEARER

    @get("/", opt={"action": Action.VIEW_EXPERTS}, summary="The expert pool, filtered", responses=ERRORS)
    async def list_experts(
        self,
        page_number: PageNumber = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        specialty: FromQuery[NeedCategory | None] = None,
        district: Annotated[str | None, QueryParameter(max_length=6)] = None,
        availability: FromQuery[Availability | None] = None,
    ) -> Paginated[Expert]:
        chosen = services.ExpertFilter(
            specialty=specialty or "", district=district or "", availability=availability or ""
        )
        found = await services.list_experts(PageRequest(page=page_number, per_page=per_page), chosen)
        return paginated(found, [expert_out(row) for row in found.items])

    @post("/", opt={"action": Action.MANAGE_EXPERTS}, summary="Add an expert to the pool", responses=ERRORS)
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[ExpertCreate]) -> Expert:
        expert_id = await services.create_expert(current_user(request).actor, _as_form(_values(data)))
        return expert_out(await services.get_expert(expert_id))

    @get("/me", opt={"action": Action.EDIT_OWN_EXPERT_PROFILE}, summary="My expert profile", responses=ERRORS)
    async def own_profile(self, request: Request[Any, Any, Any]) -> Expert:
        return expert_out(await services.own_profile(current_user(request).actor))

    @patch(
        "/me",
        opt={"action": Action.EDIT_OWN_EXPERT_PROFILE},
        summary="Change my availability, capacity (not below my active cases), away-until date or bio",
        responses=ERRORS,
    )
    async def update_own_profile(self, request: Request[Any, Any, Any], data: JSONBody[ExpertProfileUpdate]) -> Expert:
        actor = current_user(request).actor
        await services.update_own_profile(actor, _as_form(_values(data)))
        return expert_out(await services.own_profile(actor))

    @get("/{expert_id:int}", opt={"action": Action.VIEW_EXPERTS}, summary="One expert", responses=ERRORS)
    async def show(self, expert_id: RowId) -> Expert:
        return expert_out(await services.get_expert(expert_id))

    @patch(
        "/{expert_id:int}",
        opt={"action": Action.MANAGE_EXPERTS},
        summary="Change an expert's profile (capacity not below his active cases)",
        responses=ERRORS,
    )
    async def update(self, request: Request[Any, Any, Any], expert_id: RowId, data: JSONBody[ExpertUpdate]) -> Expert:
        current = await services.get_expert(expert_id)
        form = _current_form(current) | _as_form(_values(data))
        await services.update_expert(current_user(request).actor, expert_id, form)
        return expert_out(await services.get_expert(expert_id))
