"""Reading a case's timeline: its events, with the reveals of its founder's personal data merged in."""

from __future__ import annotations

from typing import Any

from casework.states import ENDED
from casework.tables import Case, CaseEvent
from casework.timeline.chronology import merge_in, open_periods, while_open
from enterprises.services import founder_reveals

REVEAL = "reveal"


def _reveal_row(reveal: dict[str, Any]) -> dict[str, Any]:
    """A reveal in the shape of an event. Its `id` is the reveal's own, in the registry's access log."""
    fields = [name for name in str(reveal["fields"]).split(",") if name]
    return {
        "id": reveal["id"],
        "kind": REVEAL,
        "from_state": "",
        "to_state": "",
        "note": reveal["reason"],
        "data": {"fields": fields},
        "created_at": reveal["created_at"],
        "actor_name": reveal["actor_name"],
    }


async def case_timeline(case_id: int) -> list[dict[str, Any]]:
    """The events of a case the caller has checked the actor reaches, oldest first.

    Each row: id, kind, from_state, to_state, note, data, created_at, actor_name. Reveals of the
    founder's personal data made while the case was open are rows of kind `reveal`.
    """
    events: list[dict[str, Any]] = (
        await CaseEvent.select(
            CaseEvent.id,
            CaseEvent.kind,
            CaseEvent.from_state,
            CaseEvent.to_state,
            CaseEvent.note,
            CaseEvent.data,
            CaseEvent.created_at,
            CaseEvent.actor.display_name.as_alias("actor_name"),
        )
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.id)
        .output(load_json=True)
    )
    case = await Case.select(Case.enterprise, Case.state).where(Case.id == case_id).first()
    if case is None or not events:
        return events
    periods = open_periods(events, open_now=case["state"] not in {s.value for s in ENDED})
    if not periods:
        return events
    reveals = [
        _reveal_row(r)
        for r in await founder_reveals(case["enterprise"], periods[0].start)
        if while_open(periods, r["created_at"])
    ]
    return merge_in(events, reveals)
