"""JSON API of the founder's confirmation: `/api/v1/cases/{case_id}/confirmations` (the broker, at a visit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, KwargDefinition
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action, Actor
from casework.confirmations import service
from casework.confirmations.rules import CodeState, Method
from core.api import API_V1, BEARER, MAX_INT4, RowId, error_responses

ERRORS = error_responses(401, 403, 404, 409, 422)
# Each bound twice: msgspec enforces it, KwargDefinition puts it in the OpenAPI schema.
Id = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
ProblemIds = Annotated[list[Id], Meta(max_length=200), KwargDefinition(max_items=200)]


@dataclass
class Confirmation:
    id: int
    method: Method
    state: CodeState
    problems: list[int]
    tries_left: int
    expires_at: datetime | None
    confirmed_at: datetime | None
    phone: str  # masked: 138****5678


@dataclass
class ConfirmationRequest:
    """Send a one-time code to the founder's phone, confirming these problems and/or this task."""

    problems: ProblemIds = field(default_factory=list)
    task: Id | None = None


@dataclass
class CodeEntry:
    code: Annotated[str, Meta(max_length=20), KwargDefinition(max_length=20)]


@dataclass
class SignatureEntry:
    """The founder's signature drawn on the screen: a PNG as a data URL or base64."""

    signature: Annotated[str, Meta(max_length=4_000_000), KwargDefinition(max_length=4_000_000)]
    problems: ProblemIds = field(default_factory=list)
    task: Id | None = None


async def _confirmation(actor: Actor, case_id: int, confirmation_id: int) -> Confirmation:
    found = await service.confirmation_file(actor, case_id, confirmation_id)
    facts = found["confirmation"]
    return Confirmation(
        id=facts.id,
        method=facts.method,
        state=found["state"],
        problems=sorted(facts.problems),
        tries_left=found["tries_left"],
        expires_at=facts.expires_at,
        confirmed_at=facts.confirmed_at,
        phone=found["phone"],
    )


def _purpose(problems: list[int], task: int | None) -> dict[str, Any]:
    return {"problems": problems, **({"task": task} if task is not None else {})}


class ConfirmationApi(Controller):
    path = f"{API_V1}/cases/{{case_id:int}}/confirmations"
    tags = ["confirmations"]
    security = BEARER
    opt = {"action": Action.CONFIRM_WITH_FOUNDER}

    @post("/", summary="Send a one-time code to the founder's phone", responses=ERRORS)
    async def request_code(
        self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[ConfirmationRequest]
    ) -> Confirmation:
        actor = current_user(request).actor
        confirmation_id = await service.request_code(actor, case_id, _purpose(data.problems, data.task))
        return await _confirmation(actor, case_id, confirmation_id)

    @get("/{confirmation_id:int}", summary="Where a confirmation stands", responses=ERRORS)
    async def show(self, request: Request[Any, Any, Any], case_id: RowId, confirmation_id: RowId) -> Confirmation:
        return await _confirmation(current_user(request).actor, case_id, confirmation_id)

    @post(
        "/{confirmation_id:int}/code",
        summary="Type in the code the founder read out; a wrong one counts a try",
        responses=ERRORS,
    )
    async def confirm_code(
        self, request: Request[Any, Any, Any], case_id: RowId, confirmation_id: RowId, data: JSONBody[CodeEntry]
    ) -> Confirmation:
        actor = current_user(request).actor
        await service.confirm_code(actor, confirmation_id, data.code, case_id=case_id)
        return await _confirmation(actor, case_id, confirmation_id)

    @post("/signature", summary="Keep the founder's signature drawn on the screen", responses=ERRORS)
    async def signature(
        self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[SignatureEntry]
    ) -> Confirmation:
        actor = current_user(request).actor
        purpose = _purpose(data.problems, data.task)
        confirmation_id = await service.record_signature(actor, case_id, data.signature, purpose)
        return await _confirmation(actor, case_id, confirmation_id)
