"""The page side of notes: adding one from the case page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework import services
from casework.notes.service import add_note
from core.api import RowId
from core.errors import Invalid
from core.web import page


class NoteController(Controller):
    include_in_schema = False  # pages, not API
    path = "/cases/{case_id:int}/notes"

    @post("/", opt={"action": Action.WORK_ON_CASE})
    async def add(
        self, request: Request[Any, Any, Any], case_id: RowId, data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        actor = current_user(request).actor
        text = data.get("text", "")
        try:
            await add_note(actor, case_id, text)
        except Invalid as error:
            # The case page again, the note kept as typed with the mistake beside it.
            file = await services.case_file(actor, case_id)
            return page(
                request,
                "casework/detail.html",
                400,
                **file,
                filed=False,
                errors={},
                note_errors=error.errors,
                note_values={"text": text},
            )
        return Redirect(f"/cases/{case_id}#timeline")
