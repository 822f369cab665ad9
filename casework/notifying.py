"""Who is told of a case's move, and what they read: pure.

A transition's rule names the parties to tell (`casework.workflow.Party`); this module turns them
into user ids given the plain facts of the case after the move, never telling the actor of his
own act, and picks each recipient's message. Messages are English message ids translated when
the inbox shows them; `{number}` is the case number, which the inbox takes from the message's link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casework.workflow import Party, Transition

FILED = "filed"  # the event of a case filed straight into the queue: a submission the officers must see


@dataclass(frozen=True)
class CasePeople:
    """Who stands in which relation to a case, as user ids, after the move."""

    filer: int | None = None
    district_officers: tuple[int, ...] = ()
    lead_expert: int | None = None
    offered_expert: int | None = None
    released_expert: int | None = None  # whose offer or lead the move ended (no longer live after it)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


# The order a recipient's party is looked up in, when he stands in more than one relation.
_PARTY_ORDER = (Party.OFFERED_EXPERT, Party.LEAD_EXPERT, Party.RELEASED_EXPERT, Party.FILER, Party.DISTRICT_OFFICERS)


def holders(party: Party, people: CasePeople) -> tuple[int, ...]:
    """The user ids standing in `party`'s relation to the case."""
    if party is Party.DISTRICT_OFFICERS:
        return people.district_officers
    single = {
        Party.FILER: people.filer,
        Party.LEAD_EXPERT: people.lead_expert,
        Party.OFFERED_EXPERT: people.offered_expert,
        Party.RELEASED_EXPERT: people.released_expert,
    }[party]
    return () if single is None else (single,)


def recipients(parties: Iterable[Party], people: CasePeople, actor_id: int | None) -> dict[int, Party]:
    """Each user to tell, with the party he is told as; the actor is never told of his own act."""
    wanted = frozenset(parties)
    found: dict[int, Party] = {}
    for party in _PARTY_ORDER:
        if party in wanted:
            for user_id in holders(party, people):
                if user_id != actor_id:
                    found.setdefault(user_id, party)
    return dict(sorted(found.items()))


_OPEN_THE_CASE = "Open the case to see what changed."

_MESSAGES: dict[str, Message] = {
    FILED: Message("Case {number} was filed and awaits triage", "A broker filed a new request for support."),
    Transition.SUBMIT: Message("Case {number} was submitted and awaits triage", "The broker submitted the case."),
    Transition.RETURN_TO_BROKER: Message(
        "Case {number} was returned to you with a question",
        "Answer the officer's question on the case page, then submit the case again.",
    ),
    Transition.TRIAGE: Message("Case {number} was accepted for support", "The district office will assign an expert."),
    Transition.DECLINE: Message("Case {number} was declined", "Open the case to read the reason."),
    Transition.MERGE: Message(
        "Case {number} was merged into another case", "Its needs and history now belong to the case it duplicates."
    ),
    Transition.WITHDRAW: Message("Case {number} was withdrawn by the broker", "Open the case to read the reason."),
    Transition.HOLD: Message("Case {number} was put on hold", "Every clock of the case is paused until it resumes."),
    Transition.RESUME: Message("Case {number} was resumed", "Work on the case continues where it stopped."),
    Transition.ASSIGN: Message("An expert was offered case {number}", "The case waits for the expert to accept it."),
    Transition.ACCEPT_ASSIGNMENT: Message("The expert accepted case {number}", "The expert will start the diagnosis."),
    Transition.DECLINE_ASSIGNMENT: Message("The expert declined case {number}", "Assign another expert to the case."),
    Transition.WITHDRAW_OFFER: Message(
        "The offer of case {number} was withdrawn", "The district office took the offer back; nothing is asked of you."
    ),
    Transition.HAND_BACK: Message(
        "The expert handed case {number} back",
        "Open the case to read the reason, then offer it to another expert.",
    ),
    Transition.START_DIAGNOSIS: Message("Diagnosis of case {number} has started", _OPEN_THE_CASE),
    Transition.FINISH_DIAGNOSIS: Message("The plan for case {number} is being written", _OPEN_THE_CASE),
    Transition.SUBMIT_PLAN: Message(
        "The plan for case {number} awaits your approval", "Approve the plan, or return it with comments."
    ),
    Transition.RETURN_PLAN: Message(
        "The plan for case {number} was returned with comments", "Revise the plan and submit it again."
    ),
    Transition.APPROVE_PLAN: Message("The plan for case {number} was approved", _OPEN_THE_CASE),
    Transition.START_WORK: Message("Work on the plan of case {number} has started", _OPEN_THE_CASE),
    Transition.START_MONITORING: Message(
        "Case {number} moved to monitoring", "Outcome surveys follow 3, 6 and 12 months from now."
    ),
    Transition.CLOSE: Message("Case {number} was closed", _OPEN_THE_CASE),
    Transition.REOPEN: Message("Case {number} was reopened", "Open the case to read why."),
}

# Where the party told needs a message of his own.
_MESSAGES_TO: dict[tuple[str, Party], Message] = {
    (Transition.ASSIGN, Party.OFFERED_EXPERT): Message(
        "You are offered case {number}", "Open the case to accept or decline the assignment."
    ),
}


def message_for(kind: str, party: Party) -> Message:
    """What a user told as `party` of an event of `kind` (a transition, or `filed`) reads."""
    return _MESSAGES_TO.get((kind, party)) or _MESSAGES[kind]


def notifies(kind: str) -> bool:
    """Whether events of `kind` tell anyone at all."""
    return kind in _MESSAGES
