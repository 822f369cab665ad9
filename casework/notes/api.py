"""JSON API of notes (`POST /api/v1/cases/{case_id}/notes`); the timeline is `GET /api/v1/cases/{case_id}/events`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.params import JSONBody, KwargDefinition
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from casework.notes.rules import MAX_NOTE_CHARS
from casework.notes.service import add_note
from core.api import API_V1, BEARER, RowId, error_responses


@dataclass
class NoteCreate:
    text: Annotated[str, Meta(max_length=MAX_NOTE_CHARS), KwargDefinition(max_length=MAX_NOTE_CHARS)]


@dataclass
class Note:
    id: int  # the note's event in the case's timeline
    text: str
    actor_name: str
    created_at: datetime


class NoteApi(Controller):
    path = f"{API_V1}/cases/{{case_id:int}}/notes"
    tags = ["cases"]
    security = BEARER

    @post(
        "/",
        opt={"action": Action.WORK_ON_CASE},
        status_code=201,
        summary="Add a note to the case's timeline (notes are never changed afterwards)",
        responses=error_responses(401, 403, 404, 422),
    )
    async def add(self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[NoteCreate]) -> Note:
        user = current_user(request)
        event = await add_note(user.actor, case_id, data.text)
        return Note(id=event["id"], text=event["note"], actor_name=user.display_name, created_at=event["created_at"])
