"""Follow-ups written with a case's moves and acted on by a real `rq` worker: once, on time, never for a gone case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from accounts.mail.tables import MailMessage
from accounts.tables import Notification, User
from casework.followups.acting import act_on
from casework.followups.rules import FollowUpKind, FollowUpState
from casework.followups.scheduling import job_id, sweep_follow_ups
from casework.tables import Assignment, CaseEvent, FollowUp, Task
from casework.workflow import CaseState, Transition
from core.jobs import job_queue, redis_connection
from tests.casework.life import Life
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio
S, T, K = CaseState, Transition, FollowUpKind


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def follow_ups(case_id: int, kind: FollowUpKind | None = None) -> list[dict[str, Any]]:
    where = FollowUp.case == case_id
    if kind is not None:
        where &= FollowUp.kind == kind
    return await FollowUp.select().where(where).order_by(FollowUp.id).output(load_json=True)


async def fall_due(follow_up_id: int, ago: timedelta = timedelta(minutes=1)) -> None:
    """Advance the clock for one follow-up: it fell due `ago`, as if the time had passed.

    Like every reschedule it takes a new version, so a job queued for its old due time does nothing.
    """
    await FollowUp.update({FollowUp.due_at: datetime.now(UTC) - ago, FollowUp.version: FollowUp.version + 1}).where(
        FollowUp.id == follow_up_id
    )


async def offered(life: Life) -> int:
    """A triaged case offered to Eve, not yet answered."""
    case_id = await life.case()
    await life.bring_to(case_id, S.TRIAGED)
    await life.expert("eve")
    await life.move("olga", case_id, T.ASSIGN, expert=life.experts["eve"])
    return case_id


async def inbox(life: Life, username: str) -> list[str]:
    """What follow-ups told the user (the moves' own messages left out)."""
    rows = await Notification.select(Notification.subject).where(
        (Notification.user == life.id(username)) & Notification.kind.like("follow_up_%")
    )
    return [row["subject"] for row in rows]


async def test_it_opens_the_triage_clock_when_a_case_is_filed_and_closes_it_at_triage(life: Life) -> None:
    case_id = await life.case()
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert clock["state"] == FollowUpState.PENDING and clock["due_at"] > datetime.now(UTC) + timedelta(hours=20)
    await life.move("olga", case_id, T.TRIAGE)
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert clock["state"] == FollowUpState.DONE


async def test_it_lapses_an_offer_nobody_answered_and_tells_the_expert_and_the_officer_once(life: Life) -> None:
    case_id = await offered(life)
    await User.update({User.email: "eve@example.com", User.email_on: True}).where(User.id == life.id("eve"))
    [offer] = await follow_ups(case_id, K.OFFER_DEADLINE)
    assert offer["state"] == FollowUpState.PENDING and offer["assignee"] == life.id("eve")
    await fall_due(offer["id"])

    assert sweep_follow_ups() == 1
    assert sweep_follow_ups() == 0  # its job is queued: the sweep does not queue it twice
    run_worker_until_idle()

    assert await life.state(case_id) is S.TRIAGED
    lapsed = await Assignment.select(Assignment.status).where(Assignment.id == offer["follows"]).first()
    assert lapsed["status"] == "lapsed"
    assert await inbox(life, "eve") == ["Your offer for case {number} lapsed"]
    assert "The offer of case {number} lapsed" in await inbox(life, "olga")
    [done] = await follow_ups(case_id, K.OFFER_DEADLINE)
    assert done["state"] == FollowUpState.DONE
    assert await CaseEvent.count().where((CaseEvent.case == case_id) & (CaseEvent.kind == "offer_expired")) == 1
    mailed = await MailMessage.select(MailMessage.subject).where(MailMessage.user == life.id("eve"))
    assert [m["subject"] for m in mailed].count(f"扶持：案件 {case_id} 的接单邀请已过期") == 1

    # The same job again (a retry after a crash, a second worker) finds its version gone and does nothing.
    job_queue().enqueue("casework.followups.jobs.act_on_follow_up", offer["id"], offer["version"] + 1, job_id="again")
    run_worker_until_idle()
    assert await inbox(life, "eve") == ["Your offer for case {number} lapsed"]
    assert await CaseEvent.count().where((CaseEvent.case == case_id) & (CaseEvent.kind == "offer_expired")) == 1
    assert await MailMessage.count().where(MailMessage.user == life.id("eve")) == len(mailed)


async def test_it_closes_the_offer_deadline_when_the_expert_answers(life: Life) -> None:
    case_id = await offered(life)
    await life.move("eve", case_id, T.ACCEPT_ASSIGNMENT)
    [offer] = await follow_ups(case_id, K.OFFER_DEADLINE)
    assert offer["state"] == FollowUpState.DONE
    await fall_due(offer["id"])
    assert await act_on(offer["id"], offer["version"] + 1) == ([], [])
    assert await life.state(case_id) is S.ASSIGNED


async def test_it_cancels_without_telling_anyone_a_follow_up_whose_case_was_withdrawn(life: Life) -> None:
    case_id = await life.case()
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    await fall_due(clock["id"])
    assert sweep_follow_ups() == 1  # queued before the broker withdraws the case
    await life.move("alice", case_id, T.WITHDRAW, reason="企业已自行解决")
    run_worker_until_idle()
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert clock["state"] == FollowUpState.CANCELLED
    assert await Notification.count().where(Notification.kind.like("follow_up_%")) == 0


async def test_it_climbs_the_ladder_from_the_district_officers_to_the_city_officers(life: Life) -> None:
    case_id = await life.case()
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    await fall_due(clock["id"])
    sweep_follow_ups()
    run_worker_until_idle()
    assert await inbox(life, "olga") == ["Case {number} waits for triage past its deadline"]
    assert await inbox(life, "carl") == []
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert clock["step"] == 1 and clock["state"] == FollowUpState.PENDING
    assert clock["due_at"] > datetime.now(UTC) + timedelta(hours=12)  # a working day later

    await fall_due(clock["id"])
    sweep_follow_ups()
    run_worker_until_idle()
    assert await inbox(life, "carl") == ["Case {number} waits for triage past its deadline"]
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert clock["state"] == FollowUpState.ESCALATED
    assert sweep_follow_ups() == 0

    await life.move("olga", case_id, T.TRIAGE)  # at last: what it waited for ends it
    [clock] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert clock["state"] == FollowUpState.DONE


async def test_it_pauses_the_clocks_of_a_case_on_hold_and_gives_back_the_time_left_on_resume(life: Life) -> None:
    case_id = await life.case()
    [before] = await follow_ups(case_id, K.TRIAGE_DUE)
    await life.move("olga", case_id, T.HOLD, reason="等待企业补材料", resume_on=date.today() + timedelta(days=10))
    [held] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert held["state"] == FollowUpState.PAUSED
    await FollowUp.update({FollowUp.paused_at: held["paused_at"] - timedelta(days=2)}).where(FollowUp.id == held["id"])
    await life.move("olga", case_id, T.RESUME)
    [resumed] = await follow_ups(case_id, K.TRIAGE_DUE)
    assert resumed["state"] == FollowUpState.PENDING
    assert timedelta(days=2) <= resumed["due_at"] - before["due_at"] < timedelta(days=2, minutes=1)


async def test_it_reminds_the_lead_expert_of_a_measure_and_closes_the_alert_when_it_is_done(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.IN_PROGRESS)
    reminders = await follow_ups(case_id, K.MEASURE_REMINDER)
    overdue = await follow_ups(case_id, K.MEASURE_OVERDUE)
    assert len(reminders) == 1 and len(overdue) == 1 and reminders[0]["assignee"] == life.id("eve")
    await fall_due(reminders[0]["id"])
    sweep_follow_ups()
    run_worker_until_idle()
    assert "A measure of case {number} falls due soon" in await inbox(life, "eve")
    [reminder] = await follow_ups(case_id, K.MEASURE_REMINDER)
    assert reminder["state"] == FollowUpState.DONE

    from casework.plans.progress import record_progress

    await record_progress(life.actor("eve"), case_id, overdue[0]["follows"], "doing")
    await record_progress(life.actor("eve"), case_id, overdue[0]["follows"], "done")
    [alert] = await follow_ups(case_id, K.MEASURE_OVERDUE)
    assert alert["state"] == FollowUpState.DONE


async def test_it_gives_the_broker_a_survey_task_when_an_outcome_survey_falls_due(life: Life) -> None:
    await User.update({User.email: "alice@example.com", User.email_on: True}).where(User.id == life.id("alice"))
    case_id = await life.case()
    await life.bring_to(case_id, S.MONITORING)
    surveys = await follow_ups(case_id, K.OUTCOME_SURVEY)
    assert sorted(s["data"]["months"] for s in surveys) == [3, 6, 12]
    three = next(s for s in surveys if s["data"]["months"] == 3)
    assert three["due_at"] > datetime.now(UTC) + timedelta(days=85)
    await fall_due(three["id"])
    sweep_follow_ups()
    run_worker_until_idle()
    [task] = await Task.select().where((Task.case == case_id) & (Task.kind == "survey"))
    assert task["broker"] == life.id("alice") and task["status"] == "open"
    assert task["instructions"] == "3 个月成效回访：请走访企业并记录其经营成效。"  # in the broker's language
    [survey] = [s for s in await follow_ups(case_id, K.OUTCOME_SURVEY) if s["data"]["months"] == 3]
    assert survey["follows"] == task["id"] and survey["state"] == FollowUpState.PENDING and survey["step"] == 1
    told = await Notification.select(Notification.subject).where(Notification.user == life.id("alice"))
    assert "New task: survey an enterprise" in [row["subject"] for row in told]
    # She chose e-mail: the task's message is mailed too, once.
    mailed = await MailMessage.select(MailMessage.subject).where(MailMessage.user == life.id("alice"))
    assert [m["subject"] for m in mailed].count("扶持：新任务：成效调查") == 1


async def test_it_leaves_a_follow_up_for_the_sweep_when_redis_is_down(
    life: Life, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    import core.jobs
    from core.config import settings

    monkeypatch.setattr(core.jobs, "settings", dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    case_id = await offered(life)  # saved although Redis is down
    monkeypatch.undo()
    [offer] = await follow_ups(case_id, K.OFFER_DEADLINE)
    await fall_due(offer["id"])
    assert not redis_connection().exists(f"rq:job:{job_id(offer['id'], offer['version'])}")
    assert sweep_follow_ups() == 1
    run_worker_until_idle()
    assert await life.state(case_id) is S.TRIAGED
