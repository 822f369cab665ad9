"""Carrying out an approved plan: measures move (to do → doing → done, or dropped with a reason) and
keep their evidence (a note, a photo or a document).

A move is a conditional UPDATE on the status read: two people moving one measure at once cannot
both win, and a page read before someone else's move is refused rather than overwriting it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.attachments.storage import store
from casework.followups.service import measure_moved
from casework.plans.live import plan_case
from casework.plans.rules import (
    MeasureStatus,
    Owner,
    PlanCase,
    check_may_record_progress,
    check_move,
    read_evidence_note,
)
from casework.services import reach_case
from casework.tables import CaseEvent, Measure
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotFound
from core.text import normalise_lines


async def _measure(actor: Actor, case_id: int, measure_id: int) -> tuple[PlanCase, dict[str, Any]]:
    """The measure (of a case the actor reaches) and its case's facts, once he may update it."""
    case = await reach_case(actor, case_id)
    measure = (
        await Measure.select(Measure.id, Measure.problem, Measure.owner, Measure.status, Measure.evidence_note)
        .where((Measure.id == measure_id) & (Measure.case == case_id))
        .first()
    )
    if measure is None:
        raise NotFound()
    facts = await plan_case(case_id, case["state"])
    check_may_record_progress(actor, facts, Owner(measure["owner"]))
    return facts, measure


async def record_progress(
    actor: Actor,
    case_id: int,
    measure_id: int,
    status: str,
    drop_reason: str = "",
    expected_status: str | None = None,
) -> MeasureStatus:
    """Move a measure on; `expected_status` is the status the user saw, refused if it has changed since."""
    _facts, measure = await _measure(actor, case_id, measure_id)
    current = MeasureStatus(measure["status"])
    if expected_status and expected_status != current:
        raise Conflict("Someone else updated this measure first. Reload the page to see it.")
    target = check_move(current, status, drop_reason)
    async with write_transaction():
        moved = (
            await Measure.update(
                {
                    Measure.status: target,
                    Measure.drop_reason: normalise_lines(drop_reason)[:2000] if target is MeasureStatus.DROPPED else "",
                    Measure.updated_at: datetime.now(UTC),
                }
            )
            .where((Measure.id == measure_id) & (Measure.status == current))
            .returning(Measure.id)
        )
        if not moved:
            raise Conflict("Someone else updated this measure first. Reload the page to see it.")
        await CaseEvent.insert(
            CaseEvent(
                case=case_id,
                actor=actor.user_id,
                kind="measure_updated",
                data={"measure": measure_id, "problem": measure["problem"], "from": current, "to": target},
            )
        )
        await measure_moved(measure_id, target)
    return target


async def add_evidence(
    actor: Actor,
    case_id: int,
    measure_id: int,
    note: str | None = None,
    upload: tuple[str, bytes] | None = None,
) -> int | None:
    """Keep a measure's evidence: its note (None leaves it) and/or a file; returns the file's attachment id."""
    _facts, measure = await _measure(actor, case_id, measure_id)
    text = read_evidence_note(note) if note is not None else None
    if upload is None and (text is None or text == measure["evidence_note"]):
        raise Invalid({"evidence_note": "Write a note or attach a photo or document."})
    async with write_transaction():
        attachment_id = None
        changes: dict[Any, Any] = {Measure.updated_at: datetime.now(UTC)}
        if upload is not None:
            filename, data = upload
            attachment_id = await store(actor, case_id, filename, data, purpose="evidence", note=text or "")
            changes[Measure.evidence] = attachment_id
        if text is not None:
            changes[Measure.evidence_note] = text
        await Measure.update(changes).where((Measure.id == measure_id) & (Measure.case == case_id))
        event: dict[str, Any] = {"measure": measure_id, "problem": measure["problem"], "evidence": True}
        if attachment_id is not None:
            event["attachment"] = attachment_id
        await CaseEvent.insert(CaseEvent(case=case_id, actor=actor.user_id, kind="measure_updated", data=event))
    return attachment_id
