"""The demo world shows every feature with data in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
from piccolo.utils.sync import run_sync
from rq import Queue, SimpleWorker

from accounts.mail.tables import MailMessage
from accounts.tables import Notification
from casework.followups.rules import FollowUpKind, FollowUpState
from casework.followups.scheduling import sweep_follow_ups
from casework.plans.live import today
from casework.plans.rules import MeasureStatus
from casework.states import ENDED, CaseState
from casework.tables import (
    Assignment,
    Case,
    Confirmation,
    DistrictSetting,
    FollowUp,
    Measure,
    PlanVersion,
    Problem,
    Task,
)
from casework.tasks.rules import TaskStatus
from core.config import settings
from core.jobs import QUEUE_NAMES
from enterprises.classification import LegalForm
from enterprises.tables import Enterprise, Founder
from experts.tables import Expert, ExpertConflict
from operations.demo import KAIZHOU, YONGCHUAN, seed
from operations.demo_cases import signature_png

pytestmark = pytest.mark.anyio


async def test_it_seeds_a_case_in_every_state_a_plan_at_every_stage_and_tasks_due_overdue_and_done() -> None:
    assert "seeded" in await seed()
    assert await seed() == "demo data already present"
    await _every_state_and_legal_form()
    await _plans_at_every_stage()
    await _tasks_due_overdue_and_done()
    await _a_pool_to_match_and_a_backlog()


async def _every_state_and_legal_form() -> None:
    assert {row["state"] for row in await Case.select(Case.state)} == set(CaseState)
    assert {row["legal_form"] for row in await Enterprise.select(Enterprise.legal_form)} == set(LegalForm)
    assert await Founder.count().where(Founder.id_number_digest != "") >= 3
    # Most of the casework is in broker1's district, some in broker2's.
    districts = [row["district"] for row in await Case.select(Case.district)]
    assert districts.count("500154") > districts.count("500118") >= 4


async def _plans_at_every_stage() -> None:
    statuses = {row["status"] for row in await PlanVersion.select(PlanVersion.status)}
    assert statuses == {"submitted", "returned", "approved"}
    # A plan being written for the first time: problems, and no version submitted yet.
    planning = [row["id"] for row in await Case.select(Case.id).where(Case.state == CaseState.PLANNING)]
    submitted = {row["case"] for row in await PlanVersion.select(PlanVersion.case)}
    assert await Problem.exists().where(Problem.case.is_in([c for c in planning if c not in submitted] or [0]))
    # A plan returned with comments, its second version being written.
    latest = {row["case"]: row for row in await PlanVersion.select().order_by(PlanVersion.number)}
    assert any(row["status"] == "returned" and row["comments"] for row in latest.values())
    measures = await Measure.select(Measure.status, Measure.drop_reason)
    assert {row["status"] for row in measures} == set(MeasureStatus)
    assert all(row["drop_reason"] for row in measures if row["status"] == MeasureStatus.DROPPED)
    # Problems open, and closed out with the founder's signature.
    closed = await Problem.select(Problem.confirmation).where(Problem.closed_out_at.is_not_null())
    assert closed and await Problem.exists().where(Problem.closed_out_at.is_null())
    signed = await Confirmation.select(Confirmation.id).where(
        (Confirmation.method == "signature") & Confirmation.signature.is_not_null()
    )
    assert {row["confirmation"] for row in closed} <= {row["id"] for row in signed}


async def _tasks_due_overdue_and_done() -> None:
    tasks = await Task.select(Task.status, Task.due_on, Task.broker.username.as_alias("broker"))
    still_open = [t for t in tasks if t["status"] == TaskStatus.OPEN]
    assert any(t["due_on"] >= today() for t in still_open)
    assert {t["broker"] for t in still_open if t["due_on"] < today()} == {"broker1", "broker2"}
    assert {t["broker"] for t in tasks if t["status"] == TaskStatus.DONE} == {"broker1", "broker2"}


def test_it_fills_the_inboxes_and_acts_on_follow_ups_overdue_or_due_soon_once_the_jobs_run() -> None:
    run_sync(seed())
    states = {row["state"] for row in FollowUp.select(FollowUp.state).run_sync()}
    assert {FollowUpState.PENDING, FollowUpState.DONE, FollowUpState.CANCELLED} <= states
    now = datetime.now(UTC)
    soon = FollowUp.select(FollowUp.kind).where(
        (FollowUp.state == FollowUpState.PENDING)
        & (FollowUp.due_at > now)
        & (FollowUp.due_at < now + timedelta(minutes=5))
    )
    assert {row["kind"] for row in soon.run_sync()} == {FollowUpKind.MEASURE_REMINDER, FollowUpKind.OUTCOME_SURVEY}
    setting = DistrictSetting.select().where(DistrictSetting.district == "500118").first().run_sync()
    assert setting["offer_minutes"] == 3  # 永川区: an offer made in the demo lapses in minutes

    connection = redis.Redis.from_url(settings.redis_url)
    # RQ's in-process worker, on the real Redis: the demo's hundred jobs, without a process forked for each.
    assert sweep_follow_ups(connection=connection) >= 2  # the overdue ones, and the ones due in minutes
    SimpleWorker([Queue(name, connection=connection) for name in QUEUE_NAMES], connection=connection).work(burst=True)
    told = Notification.select(Notification.kind, Notification.user.username.as_alias("username")).run_sync()
    assert {"broker1", "broker2", "officer1", "officer2", "expert1"} <= {row["username"] for row in told}
    assert {(row["kind"], row["username"]) for row in told} >= {
        ("follow_up_triage_due", "officer1"),
        ("follow_up_measure_overdue", "expert1"),
    }
    # Those who chose e-mail got it too (the demo's SMTP sink is not running here: the sending is queued).
    mailed = MailMessage.select(MailMessage.user.username.as_alias("username")).run_sync()
    assert {row["username"] for row in mailed} == {"broker1", "broker2", "expert1", "officer1", "officer2"}


@pytest.mark.pure
def test_it_draws_the_founders_signature_as_a_png() -> None:
    png = signature_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.endswith(b"IEND\xaeB`\x82")


async def _a_pool_to_match_and_a_backlog() -> None:
    experts = await Expert.select()
    assert len(experts) == 9 and all(expert["user"] for expert in experts)
    assert sum(1 for expert in experts if expert["away_until"] and expert["away_until"] > today()) == 1
    assert sum(1 for expert in experts if not expert["available"]) == 1
    active = Assignment.case.is_in(Case.select(Case.id).where(Case.state.not_in(list(ENDED))))
    accepted = await Assignment.select(Assignment.expert).where((Assignment.status == "accepted") & active)
    held: dict[int, int] = {}
    for row in accepted:
        held[row["expert"]] = held.get(row["expert"], 0) + 1
    full = [expert["name"] for expert in experts if held.get(expert["id"], 0) >= expert["capacity"]]
    assert full == ["郑佳"], "one expert is full, and expert1 can still accept his offer"
    assert await ExpertConflict.count() == 1
    backlog = Case.count().where((Case.district == KAIZHOU) & (Case.state == CaseState.TRIAGED))
    assert await backlog >= 4, "a backlog for batch assignment"
    assert await Assignment.exists().where(Assignment.status == "offered"), "a case on offer"
    setting = await DistrictSetting.select(DistrictSetting.on_offer_lapse).where(DistrictSetting.district == YONGCHUAN)
    assert setting[0]["on_offer_lapse"] == "next"
