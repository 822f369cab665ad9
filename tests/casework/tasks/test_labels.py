"""Each kind of task has one name: the one `TaskKind.label` gives it, in the lists and the form, in the broker's
inbox and on the case's timeline.

The inbox translates a subject by itself and the timeline cannot import the tasks' rules (tasks read cases, which
read the timeline), so the three carry their own message ids; these tests hold their words together.
"""

from __future__ import annotations

from typing import Any

import pytest

from casework.tasks.jobs import DISPATCHED_SUBJECTS
from casework.tasks.rules import TaskKind
from casework.timeline.lines import describe
from core.i18n import gettext
from tests.casework.tasks.conftest import World
from tests.casework.tasks.test_pages import signed_in
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


@pytest.mark.parametrize("kind", list(TaskKind))
def test_it_names_each_kind_in_the_new_tasks_message_as_the_task_list_does(kind: TaskKind) -> None:
    assert zh(DISPATCHED_SUBJECTS[kind]) == f"新任务：{zh(kind.label)}"


@pytest.mark.parametrize("kind", list(TaskKind))
@pytest.mark.parametrize(
    ("event", "line"),
    [
        ("task_dispatched", "Dispatched a task to the broker: {task}"),
        ("task_done", "Completed a task: {task}"),
        ("task_cancelled", "Cancelled a task: {task}"),
    ],
)
def test_it_names_each_kind_on_the_timeline_as_the_task_list_does(kind: TaskKind, event: str, line: str) -> None:
    assert describe(event, data={"task_kind": kind.value}).render(zh) == zh(line, task=zh(kind.label))


@pytest.mark.parametrize(("kind", "name"), [("visit", "走访"), ("survey", "成效调查")])
async def test_it_calls_a_task_by_one_name_wherever_it_shows(
    new_client: Any, world: World, kind: str, name: str
) -> None:
    task_id = await world.dispatch(kind=kind)
    run_worker_until_idle()
    alice = await signed_in(new_client, "alice")
    assert f"新任务：{name}<" in (await alice.http.get("/notifications")).text
    assert f"<strong>{name}</strong>" in (await alice.http.get("/tasks/mine")).text
    assert f"<h1>{name} · " in (await alice.http.get(f"/tasks/{task_id}")).text
    olga = await signed_in(new_client, "olga")
    assert f">{name}</a>" in (await olga.http.get("/tasks")).text
    assert f"向经纪人派发了任务：{name}<" in (await olga.http.get(f"/cases/{world.case_a}")).text
