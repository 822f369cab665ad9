"""Moving a case on: one transition of the workflow, its rows, its event and whom it tells, at once.

`transition_case` checks the actor's reach, then in one write transaction claims the case at the
version the user read (a conditional UPDATE: zero rows back means someone changed it first),
reads the facts the rules need under that claim, asks `casework.workflow.check_transition`,
writes the rows the move implies, exactly one `CaseEvent` and the follow-ups its effects open or
close (`casework.followups`), and promises the job that tells the parties. Jobs are dispatched and
near follow-ups scheduled after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from accounts.policy import Actor
from casework.assigning import answer_offer, explain_closed_offer, hand_back, offer_lead, withdraw_offer
from casework.followups.scheduling import schedule_near
from casework.followups.service import follow_transition
from casework.merging import lock_first, merge_into
from casework.plans.versions import plan_facts, record_decision, record_submission
from casework.reading import facts_of, live_leads, reach_case
from casework.tables import Case, CaseEvent
from casework.telling import promise_notifications, told_of
from casework.workflow import PLAN_NEEDS, RULES, CaseState, Given, Move, Transition, check_transition
from core.config import bureau_today
from core.db import write_transaction
from core.errors import Conflict, Invalid
from core.jobs import dispatch
from core.text import fold_width, normalise_lines

_ANSWERS = (Transition.ACCEPT_ASSIGNMENT, Transition.DECLINE_ASSIGNMENT)
STALE = "Someone else changed this case since you opened it. Reload the page to see what changed."
UNKNOWN_ACTION = "Unknown action."
MAX_NOTE = 2000
MAX_ID = 2**31 - 1  # ids are 4-byte integers on PostgreSQL: a larger number names no row

# The case's columns the rules and the row changes read, as they stand under the claim.
_CLAIMED = (
    Case.id,
    Case.state,
    Case.version,
    Case.filed_by,
    Case.district,
    Case.enterprise,
    Case.held_from,
    Case.open_question,
    Case.diagnosis,
    Case.outcome,
)


@dataclass(frozen=True)
class Details:
    """What the user gave with a transition besides its reason (question, answer, comments)."""

    outcome: str = ""
    survivor: int | None = None
    resume_on: date | None = None
    expert: int | None = None


@dataclass(frozen=True)
class Moved:
    """What a transition did, as plain data."""

    case_id: int
    transition: Transition
    source: CaseState
    target: CaseState
    version: int
    event_id: int
    effects: tuple[str, ...] = ()
    notified: tuple[int, ...] = field(default_factory=tuple)


def parse_details(form: Mapping[str, str]) -> Details:
    """The details of a transition as a page's form gives them (text); `Invalid` names a field typed wrong.

    Fields the transition does not ask for are ignored by its rule, so a blank one is no error.
    """
    errors: dict[str, str] = {}

    def number(name: str, message: str) -> int | None:
        text = fold_width(form.get(name, "")).lstrip("#")
        if not text:
            return None
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            errors[name] = message
            return None
        return int(text)

    resume_on = None
    if text := fold_width(form.get("resume_on", "")):
        try:
            resume_on = date.fromisoformat(text)
        except ValueError:
            errors["resume_on"] = "Give the date as year-month-day, e.g. 2027-03-01."
    details = Details(
        outcome=form.get("outcome", "").strip(),
        survivor=number("survivor", "Give the number of the case it duplicates."),
        resume_on=resume_on,
        expert=number("expert", "Choose an expert."),
    )
    if errors:
        raise Invalid(errors)
    return details


today = bureau_today  # one definition, in core.config


async def _claim(case_id: int, expected_version: int) -> dict[str, Any]:
    # The version in the WHERE makes a concurrent change lose loudly instead of silently; on
    # PostgreSQL the UPDATE also holds the row until the commit, so the facts read next stay true.
    claimed = (
        await Case.update({Case.version: Case.version + 1})
        .where((Case.id == case_id) & (Case.version == expected_version))
        .returning(*_CLAIMED)
    )
    if not claimed:
        raise Conflict(STALE)
    row = dict(claimed[0])
    row["enterprise_id"] = row["enterprise"]
    return row


async def _apply(move: Move, actor: Actor, case: dict[str, Any], given: Given) -> tuple[dict[Any, Any], dict[str, Any]]:
    """The case columns the move changes besides its state, and what its event records."""
    case_id, t = case["id"], move.transition
    if t is Transition.RETURN_TO_BROKER:
        return {Case.open_question: given.reason}, {}
    if t is Transition.SUBMIT and case["open_question"]:
        # The answer is the event's note; the question is in the earlier return's note.
        return {Case.open_question: ""}, {"answered": True}
    if t is Transition.HOLD:
        resume_on = given.resume_on.isoformat() if given.resume_on else None
        return {Case.held_from: move.source.value, Case.resume_on: given.resume_on}, {"resume_on": resume_on}
    if t is Transition.RESUME:
        return {Case.held_from: "", Case.resume_on: None}, {}
    if t is Transition.ASSIGN:
        assert given.expert is not None  # the rule needs it
        return {}, await offer_lead(case_id, given.expert, actor)
    if t in (Transition.ACCEPT_ASSIGNMENT, Transition.DECLINE_ASSIGNMENT):
        assert given.today is not None  # set by transition_case
        return {}, await answer_offer(case_id, t is Transition.ACCEPT_ASSIGNMENT, given.reason, given.today)
    if t is Transition.WITHDRAW_OFFER:
        return {}, await withdraw_offer(case_id, given.reason)
    if t is Transition.HAND_BACK:
        return {}, await hand_back(case_id, given.reason)
    if t is Transition.MERGE:
        assert given.survivor is not None  # the rule needs it
        return {Case.merged_into: given.survivor}, await merge_into(actor, case, given.survivor)
    if t is Transition.CLOSE:
        return {Case.outcome: given.outcome, Case.closed_at: datetime.now(UTC)}, {"outcome": given.outcome}
    if t is Transition.REOPEN:
        return {Case.outcome: "", Case.closed_at: None}, {"previous_outcome": case["outcome"]}
    if t is Transition.SUBMIT_PLAN:
        return {}, {"version": await record_submission(case_id, actor)}
    if t in (Transition.RETURN_PLAN, Transition.APPROVE_PLAN):
        number = await record_decision(case_id, actor, t is Transition.APPROVE_PLAN, given.reason)
        return {}, {"version": number}
    return {}, {}


async def transition_case(
    actor: Actor,
    case_id: int,
    transition: str,
    expected_version: int,
    reason: str = "",
    details: Details | None = None,
) -> Moved:
    """Move a case on, if the workflow allows it and nobody changed the case since `expected_version`."""
    if transition not in Transition.__members__.values():
        raise Invalid({"transition": UNKNOWN_ACTION})
    details = details or Details()
    if transition in _ANSWERS:
        await explain_closed_offer(case_id, actor)  # a lapsed or withdrawn offer says so, not "not found"
    await reach_case(actor, case_id)  # out of reach is NotFound, before anything else is said
    given = Given(
        reason=normalise_lines(reason)[:MAX_NOTE],
        outcome=details.outcome,
        survivor=details.survivor,
        resume_on=details.resume_on,
        expert=details.expert,
        today=today(),
    )
    try:
        async with write_transaction():
            if transition == Transition.MERGE:
                await lock_first(case_id, given.survivor)
            case = await _claim(case_id, expected_version)
            # The plan's facts cost three counts: read only when the rule asks about the plan.
            plan = await plan_facts(case_id) if RULES[Transition(transition)].needs & PLAN_NEEDS else None
            facts = facts_of(case, await live_leads(case_id), plan)
            move = check_transition(Transition(transition), facts, actor, given)
            changes, data = await _apply(move, actor, case, given)
            await Case.update({Case.state: move.target, Case.updated_at: datetime.now(UTC), **changes}).where(
                Case.id == case_id
            )
            told = await told_of(case_id, case, move.notify, actor.user_id, data.pop("released_user", None))
            effects = [effect.value for effect in move.effects]
            event = await CaseEvent.insert(
                CaseEvent(
                    case=case_id,
                    actor=actor.user_id,
                    kind=move.transition.value,
                    from_state=move.source.value,
                    to_state=move.target.value,
                    note=given.reason,
                    data={**data, "effects": effects, **({"notify": told} if told else {})},
                )
            ).returning(CaseEvent.id)
            event_id: int = event[0]["id"]
            jobs = await promise_notifications(event_id, told)
            follow_ups = await follow_transition(case_id, case["district"], event_id, move.effects)
    except Conflict:
        if transition in _ANSWERS:
            await explain_closed_offer(case_id, actor)  # the offer lapsed or was withdrawn meanwhile
        raise
    if jobs:
        await dispatch(jobs)
    await schedule_near(follow_ups)
    return Moved(
        case_id=case_id,
        transition=move.transition,
        source=move.source,
        target=move.target,
        version=case["version"],
        event_id=event_id,
        effects=tuple(effects),
        notified=tuple(user_id for user_id, _party in told),
    )
