"""Many people acting on one case at once: exactly one wins, the others are told, nothing is overwritten."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from casework.moving import Details, transition_case
from casework.tables import Case, CaseEvent
from casework.workflow import CaseState, Transition
from core.errors import Conflict
from tests.casework.life import Life

pytestmark = pytest.mark.anyio
T = Transition
RACERS = 50


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def test_it_lets_one_of_fifty_simultaneous_transitions_win_and_refuses_the_rest(life: Life) -> None:
    case_id = await life.case()
    events = await CaseEvent.count()
    olga, carl = life.actor("olga"), life.actor("carl")
    racers = [
        transition_case(olga, case_id, "triage", 1)
        if i % 2
        else transition_case(carl, case_id, "decline", 1, f"第{i}个拒绝理由")
        for i in range(RACERS)
    ]

    outcomes = await asyncio.gather(*racers, return_exceptions=True)

    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and len(lost) == RACERS - 1
    assert all(isinstance(o, Conflict) for o in lost), {type(o).__name__ for o in lost}
    row = await Case.select(Case.state, Case.version).where(Case.id == case_id).first()
    assert row == {"state": won[0].target.value, "version": 2}
    assert await CaseEvent.count() == events + 1


async def test_it_answers_one_of_fifty_simultaneous_api_requests_and_409_to_the_rest(client: Any, life: Life) -> None:
    case_id = await life.case()
    headers = await client.api_token("olga")
    body = {"transition": "triage", "version": 1}

    responses = await asyncio.gather(
        *[client.http.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=headers) for _ in range(RACERS)]
    )

    assert sorted(r.status_code for r in responses) == [201] + [409] * (RACERS - 1)
    assert await CaseEvent.count().where(CaseEvent.kind == "triage") == 1


async def test_it_lets_only_one_of_two_opposite_merges_win(life: Life) -> None:
    enterprise = await life.enterprise()
    first = await life.case(enterprise=enterprise)
    second = await life.case(enterprise=enterprise)
    olga, carl = life.actor("olga"), life.actor("carl")

    outcomes = await asyncio.gather(
        transition_case(olga, first, "merge", 1, "重复", Details(survivor=second)),
        transition_case(carl, second, "merge", 1, "重复", Details(survivor=first)),
        return_exceptions=True,
    )

    assert sorted(type(o).__name__ for o in outcomes) in (["Conflict", "Moved"], ["Invalid", "Moved"]), outcomes
    states = [r["state"] for r in await Case.select(Case.state).where(Case.id.is_in([first, second]))]
    assert sorted(states) == [CaseState.MERGED.value, CaseState.SUBMITTED.value]
