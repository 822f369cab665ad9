"""Closing problems out (销号): only with every measure done or dropped and the founder's confirmation.

The broker records it at a visit: the founder reads out the code sent to his phone, or signs on the
broker's screen. The check and the write happen in one transaction, and the UPDATE only takes
problems still open, so two brokers closing the same problem cannot both record it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from accounts.policy import Actor
from casework.confirmations.rules import facts_of
from casework.confirmations.service import confirm_code, record_signature
from casework.plans.live import plan_case, problem_facts
from casework.plans.rules import check_close_out, check_may_close_out, read_problem_ids
from casework.services import reach_case
from casework.tables import CaseEvent, Confirmation, Problem
from core.db import write_transaction
from core.errors import Conflict


async def close_out(actor: Actor, case_id: int, problem_ids: Iterable[str | int], confirmation_id: int) -> list[int]:
    """Close the chosen problems out with a confirmation the founder gave; returns their ids."""
    case = await reach_case(actor, case_id)
    check_may_close_out(actor, await plan_case(case_id, case["state"]))
    chosen = read_problem_ids(problem_ids)
    async with write_transaction():
        row = await Confirmation.select().where(Confirmation.id == confirmation_id).output(load_json=True).first()
        confirmation = facts_of(row) if row else None
        check_close_out(case_id, await problem_facts(case_id), chosen, confirmation)
        closed = (
            await Problem.update(
                {
                    Problem.closed_out_at: datetime.now(UTC),
                    Problem.closed_out_by: actor.user_id,
                    Problem.confirmation: confirmation_id,
                }
            )
            .where((Problem.case == case_id) & Problem.id.is_in(sorted(chosen)) & Problem.closed_out_at.is_null())
            .returning(Problem.id, Problem.title)
        )
        if len(closed) != len(chosen):
            raise Conflict("Someone else closed one of these problems out first. Reload the page to see it.")
        titles = {row["id"]: row["title"] for row in closed}
        for problem_id in sorted(chosen):
            await CaseEvent.insert(
                CaseEvent(
                    case=case_id,
                    actor=actor.user_id,
                    kind="problem_closed_out",
                    data={"problem": problem_id, "title": titles[problem_id], "confirmation": confirmation_id},
                )
            )
    return sorted(chosen)


async def close_out_with_code(actor: Actor, case_id: int, confirmation_id: int, code: str) -> list[int]:
    """The founder read out the code: confirm it, then close out the problems it was sent for."""
    confirmation = await confirm_code(actor, confirmation_id, code, case_id=case_id)
    return await close_out(actor, case_id, confirmation.problems, confirmation_id)


async def close_out_with_signature(
    actor: Actor, case_id: int, problem_ids: Iterable[str | int], signature: str | bytes
) -> list[int]:
    """The founder signed on the screen: keep the signature, then close the chosen problems out."""
    chosen = read_problem_ids(problem_ids)
    confirmation_id = await record_signature(actor, case_id, signature, {"problems": sorted(chosen)})
    return await close_out(actor, case_id, chosen, confirmation_id)
