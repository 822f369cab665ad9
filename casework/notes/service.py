"""Adding a note to a case's timeline."""

from __future__ import annotations

from typing import Any

from accounts.policy import Action, Actor, may
from casework.notes.rules import clean_note
from casework.services import reach_case
from casework.tables import CaseEvent
from core.db import write_transaction
from core.errors import NotAllowed

NOTE = "note"


async def add_note(actor: Actor, case_id: int, text: str) -> dict[str, Any]:
    """Add a note to a case the actor works on; returns the event: id, note, created_at."""
    if not may(actor, Action.WORK_ON_CASE):
        raise NotAllowed()
    await reach_case(actor, case_id)
    note = clean_note(text)
    async with write_transaction():
        rows = await CaseEvent.insert(CaseEvent(case=case_id, actor=actor.user_id, kind=NOTE, note=note)).returning(
            CaseEvent.id, CaseEvent.note, CaseEvent.created_at
        )
    return dict(rows[0])
