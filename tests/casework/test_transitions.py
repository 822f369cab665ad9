"""Each transition through the real service: the rows it writes, its one event, what it refuses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from casework.assigning import ALREADY_ANSWERED
from casework.moving import STALE, transition_case
from casework.states import Transition
from casework.tables import Assignment, Case, CaseEvent, CaseNeed, PlanVersion
from casework.workflow import CaseState, FollowUpEffect
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.casework.life import Life

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def case_row(case_id: int) -> dict[str, Any]:
    row = await Case.select().where(Case.id == case_id).first()
    assert row is not None
    return dict(row)


async def events_of(case_id: int) -> list[dict[str, Any]]:
    return await CaseEvent.select().where(CaseEvent.case == case_id).order_by(CaseEvent.id).output(load_json=True)


async def test_it_writes_exactly_one_event_with_the_effects_for_a_transition(life: Life) -> None:
    case_id = await life.case()
    before = await CaseEvent.count()

    moved = await life.move("olga", case_id, T.TRIAGE)

    assert await CaseEvent.count() == before + 1
    event = (await events_of(case_id))[-1]
    assert (event["kind"], event["from_state"], event["to_state"]) == ("triage", "submitted", "triaged")
    assert event["data"]["effects"] == [FollowUpEffect.CLOSE_TRIAGE_CLOCK.value] == list(moved.effects)
    assert event["id"] == moved.event_id and moved.version == 2 == await life.version(case_id)


async def test_it_keeps_the_officers_question_until_the_broker_answers_it(life: Life) -> None:
    case_id = await life.case()
    await life.move("olga", case_id, T.RETURN_TO_BROKER, "贷款金额和用途是什么？")
    assert (await case_row(case_id))["open_question"] == "贷款金额和用途是什么？"

    with pytest.raises(Invalid) as unanswered:
        await life.move("alice", case_id, T.SUBMIT)
    assert set(unanswered.value.errors) == {"reason"}

    await life.move("alice", case_id, T.SUBMIT, "三十万元，用于建冷库")
    row = await case_row(case_id)
    assert row["state"] == "submitted" and row["open_question"] == ""
    answer = (await events_of(case_id))[-1]
    assert answer["kind"] == "submit" and answer["note"] == "三十万元，用于建冷库" and answer["data"]["answered"]


async def test_it_lets_a_draft_be_submitted_without_an_answer_when_nobody_asked(life: Life) -> None:
    case_id = await life.case(as_draft=True)
    await life.move("alice", case_id, T.SUBMIT)
    assert await life.state(case_id) is S.SUBMITTED


async def test_it_holds_a_case_and_resumes_it_where_it_was(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.DIAGNOSING)
    resume_on = date.today() + timedelta(days=30)

    await life.move("olga", case_id, T.HOLD, "春节停工", resume_on=resume_on)
    row = await case_row(case_id)
    assert (row["state"], row["held_from"], row["resume_on"]) == ("on_hold", "diagnosing", resume_on)
    assert (await events_of(case_id))[-1]["data"]["resume_on"] == resume_on.isoformat()

    await life.move("carl", case_id, T.RESUME)
    row = await case_row(case_id)
    assert (row["state"], row["held_from"], row["resume_on"]) == ("diagnosing", "", None)


async def test_it_refuses_a_resume_date_that_is_not_in_the_future(life: Life) -> None:
    case_id = await life.case()
    with pytest.raises(Invalid) as refused:
        await life.move("olga", case_id, T.HOLD, "春节", resume_on=date.today() - timedelta(days=1))
    assert set(refused.value.errors) == {"resume_on"}
    assert await life.state(case_id) is S.SUBMITTED and await life.version(case_id) == 1  # nothing written


async def test_it_offers_the_lead_to_an_expert_who_accepts_it(life: Life) -> None:
    case_id = await life.case()
    expert = await life.expert("eve")
    await life.move("olga", case_id, T.TRIAGE)

    await life.move("olga", case_id, T.ASSIGN, expert=expert)
    offer = await Assignment.select().where(Assignment.case == case_id).first()
    assert offer is not None
    assert (offer["expert"], offer["expert_user"], offer["status"], offer["role"]) == (
        expert,
        life.id("eve"),
        "offered",
        "lead",
    )
    assert (await events_of(case_id))[-1]["data"]["expert"] == expert

    await life.move("eve", case_id, T.ACCEPT_ASSIGNMENT)
    accepted = await Assignment.select(Assignment.status, Assignment.answered_at).where(Assignment.case == case_id)
    assert [a["status"] for a in accepted] == ["accepted"] and accepted[0]["answered_at"] is not None
    assert await life.state(case_id) is S.ASSIGNED


async def test_it_hands_the_case_back_when_the_expert_declines(life: Life) -> None:
    case_id = await life.case()
    expert = await life.expert("eve")
    await life.move("olga", case_id, T.TRIAGE)
    await life.move("olga", case_id, T.ASSIGN, expert=expert)

    await life.move("eve", case_id, T.DECLINE_ASSIGNMENT, "与企业负责人是亲戚")
    declined = await Assignment.select().where(Assignment.case == case_id).first()
    assert declined is not None and (declined["status"], declined["reason"]) == ("declined", "与企业负责人是亲戚")
    assert await life.state(case_id) is S.TRIAGED
    # A declined offer is no reach; answering it again is told so in words rather than "not found".
    with pytest.raises(Conflict) as again:
        await life.move("eve", case_id, T.ACCEPT_ASSIGNMENT)
    assert again.value.message == ALREADY_ANSWERED
    with pytest.raises(NotFound):
        await life.move("eve", case_id, T.START_DIAGNOSIS)

    await life.move("olga", case_id, T.ASSIGN, expert=expert)  # offered again: a new row
    assert await Assignment.count().where(Assignment.case == case_id) == 2


@pytest.mark.parametrize("expert", ["missing", "no_account"])
async def test_it_assigns_only_an_expert_with_an_account(life: Life, expert: str) -> None:
    from experts.tables import Expert

    case_id = await life.case()
    await life.move("olga", case_id, T.TRIAGE)
    rows = await Expert.insert(Expert(name="无账号专家")).returning(Expert.id)
    expert_id = rows[0]["id"] if expert == "no_account" else rows[0]["id"] + 1000
    with pytest.raises(Invalid) as refused:
        await life.move("olga", case_id, T.ASSIGN, expert=expert_id)
    assert set(refused.value.errors) == {"expert"}
    assert await Assignment.count() == 0 and await life.state(case_id) is S.TRIAGED


async def test_it_merges_a_duplicate_into_the_case_that_stays(life: Life) -> None:
    enterprise = await life.enterprise()
    survivor = await life.case(enterprise=enterprise)
    duplicate = await life.case(enterprise=enterprise, category="financing")
    old_events = [e["id"] for e in await events_of(duplicate)]
    old_times = [e["created_at"] for e in await events_of(duplicate)]

    await life.move("olga", duplicate, T.MERGE, "同一需求重复提交", survivor=survivor)

    row = await case_row(duplicate)
    assert (row["state"], row["merged_into"]) == ("merged", survivor)
    assert await CaseNeed.count().where(CaseNeed.case == survivor) == 2
    assert await CaseNeed.count().where(CaseNeed.case == duplicate) == 0
    moved = [e for e in await events_of(survivor) if e["id"] in old_events]
    assert [e["id"] for e in moved] == old_events and [e["created_at"] for e in moved] == old_times
    assert (await events_of(survivor))[-1]["kind"] == "merged"
    assert (await events_of(survivor))[-1]["data"]["case"] == duplicate
    merge = await events_of(duplicate)
    assert [e["kind"] for e in merge] == ["merge"] and merge[0]["data"]["case"] == survivor
    assert await life.version(survivor) == 2  # its needs changed: a page open on it is stale


@pytest.mark.parametrize("survivor", ["itself", "other_enterprise", "other_district", "closed", "missing"])
async def test_it_merges_only_into_another_open_case_of_the_same_enterprise_within_reach(
    life: Life, survivor: str
) -> None:
    enterprise = await life.enterprise()
    duplicate = await life.case(enterprise=enterprise)
    if survivor == "itself":
        target = duplicate
    elif survivor == "other_enterprise":
        target = await life.case()
    elif survivor == "other_district":
        target = await life.case(broker="bob")
    elif survivor == "closed":
        target = await life.case(enterprise=enterprise)
        await life.move("alice", target, T.WITHDRAW, "不需要了")
    else:
        target = duplicate + 1000
    with pytest.raises(Invalid) as refused:
        await life.move("olga", duplicate, T.MERGE, survivor=target)
    assert set(refused.value.errors) == {"survivor"}
    assert await life.state(duplicate) is S.SUBMITTED


async def test_it_closes_with_an_outcome_and_reopens_with_a_reason(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.IN_PROGRESS)

    with pytest.raises(Invalid):
        await life.move("olga", case_id, T.CLOSE, outcome="forgotten")
    await life.move("olga", case_id, T.CLOSE, outcome="partly_resolved")
    row = await case_row(case_id)
    assert (row["state"], row["outcome"]) == ("closed", "partly_resolved") and row["closed_at"] is not None

    await life.move("olga", case_id, T.REOPEN, "企业又遇到资金问题")
    row = await case_row(case_id)
    assert (row["state"], row["outcome"], row["closed_at"]) == ("in_progress", "", None)
    assert (await events_of(case_id))[-1]["data"]["previous_outcome"] == "partly_resolved"


async def test_it_versions_the_plan_when_it_is_submitted_returned_and_approved(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.PLANNING)
    with pytest.raises(Invalid) as empty:
        await life.move("eve", case_id, T.SUBMIT_PLAN)
    assert set(empty.value.errors) == {"plan"}
    await life.plan(case_id)

    await life.move("eve", case_id, T.SUBMIT_PLAN)
    await life.move("olga", case_id, T.RETURN_PLAN, "措施缺少期限")
    await life.move("eve", case_id, T.SUBMIT_PLAN)
    await life.move("olga", case_id, T.APPROVE_PLAN)

    versions = await PlanVersion.select(PlanVersion.number, PlanVersion.status, PlanVersion.comments).where(
        PlanVersion.case == case_id
    )
    assert sorted((v["number"], v["status"], v["comments"]) for v in versions) == [
        (1, "returned", "措施缺少期限"),
        (2, "approved", ""),
    ]
    plan_events = [e for e in await events_of(case_id) if e["kind"].endswith("_plan")]
    assert [(e["kind"], e["data"]["version"]) for e in plan_events] == [
        ("submit_plan", 1),
        ("return_plan", 1),
        ("submit_plan", 2),
        ("approve_plan", 2),
    ]
    assert await life.state(case_id) is S.PLAN_APPROVED


async def test_it_moves_to_monitoring_only_when_every_problem_is_closed_out(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.IN_PROGRESS)
    with pytest.raises(Invalid) as open_problems:
        await life.move("eve", case_id, T.START_MONITORING)
    assert set(open_problems.value.errors) == {"plan"}
    await life.close_out(case_id)
    moved = await life.move("eve", case_id, T.START_MONITORING)
    assert moved.target is S.MONITORING
    assert set(moved.effects) == {"cancel_visit_cycle", "schedule_outcome_surveys"}


async def test_it_refuses_a_stale_version_and_writes_nothing(life: Life) -> None:
    case_id = await life.case()
    await life.move("olga", case_id, T.TRIAGE)
    events = await CaseEvent.count()
    with pytest.raises(Conflict) as stale:
        await transition_case(life.actor("carl"), case_id, "decline", 1, "重复")
    assert stale.value.message == STALE
    assert await life.state(case_id) is S.TRIAGED and await CaseEvent.count() == events


@pytest.mark.parametrize(
    ("who", "error"),
    [("bob", NotFound), ("oscar", NotFound), ("eve", NotFound), ("adam", NotAllowed), ("alice", NotAllowed)],
)
async def test_it_refuses_those_out_of_reach_or_without_the_right(life: Life, who: str, error: type) -> None:
    await life.expert("eve")
    case_id = await life.case()
    with pytest.raises(error):
        await life.move(who, case_id, T.TRIAGE)
    assert await life.state(case_id) is S.SUBMITTED and await life.version(case_id) == 1


async def test_it_says_which_actions_are_open_when_one_is_not(life: Life) -> None:
    case_id = await life.case()
    with pytest.raises(Conflict) as refused:
        await life.move("olga", case_id, T.APPROVE_PLAN)
    assert refused.value.params["state"] == "submitted" and "triage" in str(refused.value.params["allowed"])


async def test_it_refuses_an_unknown_action(life: Life) -> None:
    case_id = await life.case()
    with pytest.raises(Invalid) as refused:
        await transition_case(life.actor("olga"), case_id, "teleport", 1)
    assert set(refused.value.errors) == {"transition"}
