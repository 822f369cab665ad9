"""The founder's one-time code on the real database, Redis and `rq worker`: sent once, right once, five
wrong tries kill it, an expired one is refused, and neither the code nor the phone is written anywhere
but the encrypted outbox."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import anyio
import pytest
import redis

from casework.confirmations import peek, service
from casework.confirmations.rules import code_in_text
from casework.confirmations.texts import deliver_text, last_text
from casework.plans import closing
from casework.states import CaseState
from casework.tables import CaseEvent, Confirmation, Problem, TextMessage
from core.config import settings
from core.errors import Invalid, NotAllowed, NotFound
from core.jobs import dispatch
from core.tables import OutboxJob
from tests.casework.plans.world import FOUNDER_PHONE, PlanWorld
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio


async def ready_case(world: PlanWorld, **case: object) -> tuple[int, int]:
    """A case in progress whose one problem has its measures done: ready to be closed out."""
    case_id = await world.case(CaseState.IN_PROGRESS, **case)  # type: ignore[arg-type]
    problem_id, _ = await world.problem(case_id, [("done", "expert"), ("dropped", "broker")])
    return case_id, problem_id


async def sent_code(world: PlanWorld, case_id: int, problem_id: int) -> tuple[int, str]:
    """Alice asks for a code; the worker sends it; the test reads it off the founder's "phone"."""
    confirmation_id = await service.request_code(world.actor("alice"), case_id, {"problems": [problem_id]})
    run_worker_until_idle()
    kept = await last_text(case_id)
    assert kept is not None and kept.status == "sent" and kept.phone == FOUNDER_PHONE
    code = code_in_text(kept.text)
    assert code is not None
    return confirmation_id, code


async def failures(confirmation_id: int) -> list[str]:
    rows = await CaseEvent.select(CaseEvent.data).where(CaseEvent.kind == "confirmation_failed").output(load_json=True)
    return [r["data"]["reason"] for r in rows if r["data"]["confirmation"] == confirmation_id]


async def test_it_sends_a_code_that_works_once(world: PlanWorld) -> None:
    case_id, problem_id = await ready_case(world)
    confirmation_id, code = await sent_code(world, case_id, problem_id)
    alice = world.actor("alice")

    closed = await closing.close_out_with_code(alice, case_id, confirmation_id, f" {code[:3]} {code[3:]} ")

    assert closed == [problem_id]
    problem = await Problem.select(Problem.confirmation).where(Problem.id == problem_id).first()
    assert problem == {"confirmation": confirmation_id}
    with pytest.raises(Invalid) as refused:
        await service.confirm_code(alice, confirmation_id, code, case_id=case_id)
    assert refused.value.errors == {"code": "This code has already been used."}
    kinds = [e["kind"] for e in await CaseEvent.select(CaseEvent.kind).order_by(CaseEvent.id)]
    assert kinds[:4] == ["confirmation_requested", "text_sent", "confirmation_confirmed", "problem_closed_out"]


async def test_it_kills_a_code_after_five_wrong_tries(world: PlanWorld) -> None:
    case_id, problem_id = await ready_case(world)
    confirmation_id, code = await sent_code(world, case_id, problem_id)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    alice = world.actor("alice")

    messages = []
    for _ in range(settings.limits.confirmation_code_tries):
        with pytest.raises(Invalid) as refused:
            await service.confirm_code(alice, confirmation_id, wrong, case_id=case_id)
        messages.append((refused.value.errors["code"], refused.value.params.get("left")))
    with pytest.raises(Invalid) as dead:  # now even the right code is refused
        await service.confirm_code(alice, confirmation_id, code, case_id=case_id)

    assert messages == [("The code is wrong.", left) for left in (4, 3, 2, 1)] + [
        ("The code is wrong, and that was the last try. Send a new code.", None)
    ]
    assert dead.value.errors["code"].startswith("Too many wrong codes")
    row = (
        await Confirmation.select(Confirmation.tries, Confirmation.confirmed_at)
        .where(Confirmation.id == confirmation_id)
        .first()
    )
    assert row == {"tries": 5, "confirmed_at": None}  # each try was kept although each request failed
    assert await failures(confirmation_id) == ["wrong"] * 4 + ["wrong_last", "used_up"]

    fresh, fresh_code = await sent_code(world, case_id, problem_id)  # a new code must be requested
    assert await closing.close_out_with_code(alice, case_id, fresh, fresh_code) == [problem_id]


async def test_it_does_not_count_a_typo_that_is_no_code_at_all(world: PlanWorld) -> None:
    case_id, problem_id = await ready_case(world)
    confirmation_id, _code = await sent_code(world, case_id, problem_id)
    with pytest.raises(Invalid) as refused:
        await service.confirm_code(world.actor("alice"), confirmation_id, "12345", case_id=case_id)
    assert refused.value.errors == {"code": "Type the 6-digit code."}
    assert (await Confirmation.select(Confirmation.tries).first()) == {"tries": 0}


async def test_it_refuses_an_expired_code(world: PlanWorld) -> None:
    case_id, problem_id = await ready_case(world)
    confirmation_id, code = await sent_code(world, case_id, problem_id)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Confirmation.update({Confirmation.expires_at: past}).where(Confirmation.id == confirmation_id)
    with pytest.raises(Invalid) as refused:
        await closing.close_out_with_code(world.actor("alice"), case_id, confirmation_id, code)
    assert refused.value.errors == {"code": "The code has expired. Send a new code."}
    assert await failures(confirmation_id) == ["expired"]
    assert await Problem.count().where(Problem.closed_out_at.is_not_null()) == 0


async def test_it_refuses_a_code_for_another_case_or_problem(world: PlanWorld) -> None:
    case_id, problem_id = await ready_case(world)
    other_case, other_problem = await ready_case(world)
    second_problem, _ = await world.problem(case_id, [("done", "bureau")], title="销路不畅")
    confirmation_id, code = await sent_code(world, case_id, problem_id)
    alice = world.actor("alice")

    with pytest.raises(Invalid) as refused:
        await service.confirm_code(alice, confirmation_id, code, case_id=other_case)
    assert refused.value.errors == {"code": "This confirmation was given for another case."}
    assert await service.confirm_code(alice, confirmation_id, code, case_id=case_id)
    with pytest.raises(Invalid) as refused:
        await closing.close_out(alice, case_id, [second_problem], confirmation_id)
    assert refused.value.errors == {"confirmation": "The founder's confirmation does not cover the chosen problems."}
    with pytest.raises(Invalid):
        await closing.close_out(alice, other_case, [other_problem], confirmation_id)


async def test_it_sends_no_code_for_problems_not_ready_or_to_no_mobile(world: PlanWorld) -> None:
    alice = world.actor("alice")
    case_id = await world.case(CaseState.IN_PROGRESS)
    unfinished, _ = await world.problem(case_id, [("doing", "expert")])
    with pytest.raises(Invalid) as refused:
        await service.request_code(alice, case_id, {"problems": [unfinished]})
    assert set(refused.value.errors) == {"problems"}
    landline_case, problem_id = await ready_case(world, phone="023-63861234")
    with pytest.raises(Invalid) as refused:
        await service.request_code(alice, landline_case, {"problems": [problem_id]})
    assert set(refused.value.errors) == {"phone"}
    assert await TextMessage.count() == 0 and await Confirmation.count() == 0


@pytest.mark.parametrize(("username", "error"), [("eve", NotAllowed), ("olga", NotAllowed), ("bob", NotFound)])
async def test_it_lets_only_the_broker_ask_the_founder(world: PlanWorld, username: str, error: type[Exception]) -> None:
    case_id, problem_id = await ready_case(world)
    with pytest.raises(error):
        await service.request_code(world.actor(username), case_id, {"problems": [problem_id]})


async def test_it_sends_a_text_once_however_often_its_job_runs(world: PlanWorld) -> None:
    case_id, problem_id = await ready_case(world)
    await sent_code(world, case_id, problem_id)
    message = await TextMessage.select(TextMessage.id).first()
    assert message is not None
    job_id = f"text-message-{message['id']}"

    await OutboxJob.update({OutboxJob.done_at: None}).where(OutboxJob.job_id == job_id)
    redis.Redis.from_url(settings.redis_url).delete(f"rq:job:{job_id}")
    await dispatch([job_id])  # queued again, as the sweep would after a lost Redis
    run_worker_until_idle()
    assert await deliver_text(message["id"]) == "sent"  # and once more, by hand

    row = await TextMessage.select(TextMessage.status, TextMessage.attempts, TextMessage.gateway).first()
    assert row == {"status": "sent", "attempts": 1, "gateway": "recorded"}
    assert await CaseEvent.count().where(CaseEvent.kind == "text_sent") == 1


async def test_it_sends_no_code_that_expired_while_it_waited(world: PlanWorld) -> None:
    case_id, problem_id = await ready_case(world)
    await service.request_code(world.actor("alice"), case_id, {"problems": [problem_id]})
    await Confirmation.update({Confirmation.expires_at: datetime.now(UTC) - timedelta(minutes=1)}, force=True)
    run_worker_until_idle()
    assert (await TextMessage.select(TextMessage.status).first()) == {"status": "expired"}
    assert await CaseEvent.count().where(CaseEvent.kind == "text_sent") == 0


async def test_it_writes_neither_code_nor_phone_anywhere_but_the_encrypted_outbox(
    world: PlanWorld, caplog: pytest.LogCaptureFixture
) -> None:
    case_id, problem_id = await ready_case(world)  # the set-up writes the phone in the clear: not watched
    caplog.set_level(logging.DEBUG)  # every log line from here on, the database driver's SQL included
    confirmation_id = await service.request_code(world.actor("alice"), case_id, {"problems": [problem_id]})
    connection = redis.Redis.from_url(settings.redis_url)
    payloads = [
        value
        for key in connection.scan_iter("rq:job:*")
        if connection.type(key) == b"hash"
        for value in connection.hgetall(key).values()
    ]
    assert payloads, "the job was not queued"
    worker_output = run_worker_until_idle()
    kept = await last_text(case_id)
    assert kept is not None
    code = code_in_text(kept.text)
    assert code is not None
    await service.confirm_code(world.actor("alice"), confirmation_id, code, case_id=case_id)

    rows = [row for table in (CaseEvent, Confirmation, TextMessage, OutboxJob) for row in await table.select()]
    stored = " ".join(str(value) for row in rows for value in row.values())
    for secret in (code, FOUNDER_PHONE):
        assert secret not in caplog.text
        assert secret not in worker_output
        assert not any(secret.encode() in payload for payload in payloads)
        assert secret not in stored


async def test_it_prints_the_last_text_of_a_case_for_the_demo_and_the_browser_tests(
    world: PlanWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id, problem_id = await ready_case(world)
    await service.request_code(world.actor("alice"), case_id, {"problems": [problem_id]})
    kept = await last_text(case_id)
    assert kept is not None

    assert await anyio.to_thread.run_sync(peek.main, [str(case_id)]) == 0
    printed = capsys.readouterr().out
    assert code_in_text(printed) == code_in_text(kept.text)
    assert "139****1234" in printed and FOUNDER_PHONE not in printed  # the code is shown, the number is not
    assert await anyio.to_thread.run_sync(peek.main, ["nine"]) == 2
