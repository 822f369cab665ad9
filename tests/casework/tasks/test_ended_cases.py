"""A case in a final state (closed, declined, withdrawn, merged) takes no new task: not on the page, not through
the API, and its page offers none."""

from __future__ import annotations

from typing import Any

import pytest

from casework.states import CaseState
from casework.tables import Case, Task
from tests.casework.tasks.conftest import World, in_days
from tests.casework.tasks.test_pages import signed_in

pytestmark = pytest.mark.anyio

FINAL = [CaseState.DECLINED, CaseState.WITHDRAWN, CaseState.MERGED, CaseState.CLOSED]
ENDED = "此案件已结束，不能再派发新任务。"


async def end(case_id: int, state: CaseState) -> None:
    # Straight to the state: how a case gets there is the workflow's business, not the tasks'.
    await Case.update({Case.state: state}).where(Case.id == case_id)


def typed(world: World) -> dict[str, str]:
    return {
        "case_id": str(world.case_a),
        "kind": "visit",
        "broker_id": str(world.id("alice")),
        "due_on": in_days(2).isoformat(),
        "instructions": "上门了解冷库建设进度",
    }


@pytest.mark.parametrize("state", FINAL)
async def test_it_offers_no_dispatch_form_for_a_case_that_has_ended(
    new_client: Any, world: World, state: CaseState
) -> None:
    await end(world.case_a, state)
    olga = await signed_in(new_client, "olga")
    form = await olga.http.get(f"/tasks/new?case_id={world.case_a}")
    assert form.status_code == 409
    assert ENDED in form.text
    assert 'action="/tasks/new"' not in form.text and 'name="instructions"' not in form.text
    assert f'href="/cases/{world.case_a}"' in form.text  # the way back


@pytest.mark.parametrize("state", FINAL)
async def test_it_refuses_to_dispatch_a_task_for_a_case_that_has_ended(
    new_client: Any, world: World, state: CaseState
) -> None:
    olga = await signed_in(new_client, "olga")
    form_path = f"/tasks/new?case_id={world.case_a}"
    token = await olga.csrf(form_path)  # the form as it was before the case ended
    await end(world.case_a, state)
    refused = await olga.http.post("/tasks/new", data={"_csrf_token": token, **typed(world)})
    assert refused.status_code == 409 and ENDED in refused.text
    assert await Task.count() == 0


@pytest.mark.parametrize("state", FINAL)
async def test_it_refuses_a_task_for_a_case_that_has_ended_through_the_api(
    client: Any, world: World, state: CaseState
) -> None:
    await end(world.case_a, state)
    olga = await client.api_token("olga")
    body = {
        "kind": "survey",
        "due_on": in_days(2).isoformat(),
        "broker_id": world.id("alice"),
        "instructions": "请填写成效调查表",
        "case_id": world.case_a,
    }
    refused = await client.http.post("/api/v1/tasks", json=body, headers=olga)
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == ENDED
    assert await Task.count() == 0


async def test_it_offers_a_task_on_the_case_page_only_while_the_case_goes_on(new_client: Any, world: World) -> None:
    olga = await signed_in(new_client, "olga")
    link = f'href="/tasks/new?case_id={world.case_a}"'
    assert link in (await olga.http.get(f"/cases/{world.case_a}")).text
    await end(world.case_a, CaseState.MONITORING)
    assert link in (await olga.http.get(f"/cases/{world.case_a}")).text  # outcome surveys are dispatched now
    await end(world.case_a, CaseState.DECLINED)
    page = await olga.http.get(f"/cases/{world.case_a}")
    assert page.status_code == 200 and link not in page.text


async def test_it_still_dispatches_for_a_case_that_goes_on(new_client: Any, world: World) -> None:
    await end(world.case_a, CaseState.MONITORING)
    olga = await signed_in(new_client, "olga")
    form_path = f"/tasks/new?case_id={world.case_a}"
    assert (await olga.http.get(form_path)).status_code == 200
    dispatched = await olga.post_form("/tasks/new", {**typed(world), "kind": "survey"}, csrf_from=form_path)
    assert dispatched.status_code == 302, dispatched.text
    assert await Task.count() == 1
