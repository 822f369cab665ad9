"""The founder's confirmation at a visit: a one-time code sent to his phone, or his signature on the screen.

`casework.confirmations` sends and checks codes and keeps signatures; here a visit task asks for one
(its purpose names the task), and finds the one a completion form carries. A confirmation counts for
a task only if it was asked for that task, on its case, and was given.
"""

from __future__ import annotations

from typing import Any

from accounts.policy import Actor
from casework.confirmations.service import confirm_code, record_signature, request_code, task_confirmation
from casework.tasks.rules import Ask, TaskStatus, check_confirmable, may_take_confirmation
from casework.tasks.service import confirmation_of, facts_of, get_task, task_row
from core.errors import Invalid
from enterprises.snapshots import snapshot_of_task

NOT_CONFIRMED = "The founder has not confirmed yet: enter his code, or have him sign."
NOT_FOR_THIS_TASK = "This confirmation was not asked for this task."


async def task_page(actor: Actor, task_id: int, confirmation_id: int | None = None) -> dict[str, Any]:
    """One task as its page shows it: for the broker who may complete a visit, with the founder's confirmation
    in play (`pending_confirmation`), whether the page names it (`confirmation_id`) or not."""
    task = await get_task(actor, task_id)
    confirmable = may_take_confirmation(facts_of(task), actor)
    pending = await task_confirmation(task["case"], task_id, confirmation_id) if confirmable else None
    answered = task["status"] == TaskStatus.DONE and task["asks"]["answers"] != Ask.NO
    return {**task, "pending_confirmation": pending, "snapshot": await snapshot_of_task(task_id) if answered else None}


async def confirmable_task(actor: Actor, task_id: int) -> dict[str, Any]:
    """The broker's open visit, tied to a case, for which he may take the founder's confirmation."""
    task = await task_row(actor, task_id)
    check_confirmable(facts_of(task), actor)
    return task


async def ask_for_code(actor: Actor, task_id: int) -> int:
    """Send the founder a code confirming this visit; returns the confirmation's id."""
    task = await confirmable_task(actor, task_id)
    return await request_code(actor, task["case"], {"task": task_id})


async def keep_signature(actor: Actor, task_id: int, drawn: str | bytes) -> int:
    """Keep the founder's signature confirming this visit; returns the (given) confirmation's id."""
    task = await confirmable_task(actor, task_id)
    return await record_signature(actor, task["case"], drawn, {"task": task_id})


async def given_confirmation(actor: Actor, task: dict[str, Any], confirmation_id: int, code: str) -> None:
    """Make sure the founder's confirmation is given for this task, checking his code first if one is typed.

    A wrong code counts a try even though this raises (`confirm_code` keeps it in its own transaction).
    """
    found = await confirmation_of(task, confirmation_id)
    if found is None:
        raise Invalid({"confirmation": NOT_FOR_THIS_TASK})
    if not found["given"] and code.strip():
        await confirm_code(actor, confirmation_id, code, task["case"])
        found = await confirmation_of(task, confirmation_id)
    if found is None or not found["given"]:
        raise Invalid({"code": NOT_CONFIRMED})
