"""Who is told of a move, and what he reads: the pure rule, as a table."""

from __future__ import annotations

import pytest

from casework.notifying import FILED, CasePeople, message_for, notifies, recipients
from casework.workflow import RULES, Party, Transition

pytestmark = pytest.mark.pure

PEOPLE = CasePeople(filer=1, district_officers=(3, 4), lead_expert=5, offered_expert=6)
F, D, L, X = Party.FILER, Party.DISTRICT_OFFICERS, Party.LEAD_EXPERT, Party.OFFERED_EXPERT


@pytest.mark.parametrize(
    ("parties", "people", "actor", "told"),
    [
        ({F}, PEOPLE, 3, {1: F}),
        ({D}, PEOPLE, 1, {3: D, 4: D}),
        ({D}, PEOPLE, 3, {4: D}),  # the officer who acted is not told of his own act
        ({F, L}, PEOPLE, 3, {1: F, 5: L}),
        ({F, X}, PEOPLE, 3, {1: F, 6: X}),
        ({F, L}, CasePeople(filer=1), 3, {1: F}),  # no lead expert yet: nobody to tell as one
        ({L}, PEOPLE, 5, {}),
        (set(), PEOPLE, 3, {}),
        # one person in two relations is told once, as the one that asks more of him
        ({F, D}, CasePeople(filer=3, district_officers=(3,)), 9, {3: F}),
        ({D}, CasePeople(district_officers=()), 1, {}),
    ],
)
def test_it_turns_parties_into_the_users_to_tell(
    parties: set[Party], people: CasePeople, actor: int, told: dict[int, Party]
) -> None:
    assert recipients(parties, people, actor) == told


@pytest.mark.parametrize("transition", [t for t in Transition if RULES[t].notify])
def test_it_has_a_message_for_every_party_a_transition_tells(transition: Transition) -> None:
    for party in RULES[transition].notify:
        message = message_for(transition, party)
        assert "{number}" in message.subject and message.body


def test_it_offers_the_case_to_the_expert_in_words_of_his_own() -> None:
    assert message_for(Transition.ASSIGN, X).subject == "You are offered case {number}"
    assert message_for(Transition.ASSIGN, F).subject != message_for(Transition.ASSIGN, X).subject


def test_it_tells_the_officers_of_a_case_filed_straight_into_the_queue() -> None:
    assert notifies(FILED) and "{number}" in message_for(FILED, D).subject
    assert not notifies("note")
