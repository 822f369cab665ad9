"""Confirmation services: send a code to the founder's phone and check it, or keep his drawn signature.

The broker asks for a confirmation at a visit, of something named in its purpose: problems of the
plan to close out and/or the task of the visit. A wrong code counts a try, and the try is kept even
though the request fails; neither the code nor the phone is ever in an event, a log line or a job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor, Role
from casework.attachments.storage import store
from casework.confirmations.rules import (
    COUNTS_A_TRY,
    VERDICT_MESSAGES,
    ConfirmationFacts,
    Method,
    Verdict,
    code_in_text,
    code_matches,
    code_state,
    code_text,
    expiry,
    facts_of,
    judge_code,
    new_code,
    read_code,
    read_purpose,
    read_signature,
    shown_for_task,
)
from casework.confirmations.texts import last_text, queue_text
from casework.plans.live import plan_case, problem_facts
from casework.plans.rules import check_may_close_out, check_ready, read_problem_ids
from casework.services import reach_case
from casework.tables import Case, CaseEvent, Confirmation, Problem, Task
from core.config import settings
from core.crypto import decrypt, digest
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.i18n import gettext
from core.jobs import dispatch
from enterprises.identifiers import mask_phone

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def _check_broker(actor: Actor) -> None:
    if actor.role is not Role.BROKER:
        raise NotAllowed("Only the broker records the founder's confirmation.")


async def _checked_purpose(actor: Actor, case: Mapping[str, Any], purpose: Mapping[str, Any]) -> dict[str, Any]:
    """What the confirmation will confirm, once each part of it may be confirmed now."""
    problems = read_problem_ids(purpose.get("problems") or [])
    task = purpose.get("task")
    if problems:
        check_may_close_out(actor, await plan_case(case["id"], case["state"]))
        check_ready(await problem_facts(case["id"]), problems)
    if task is not None and not (
        isinstance(task, int) and await Task.exists().where((Task.id == task) & (Task.case == case["id"]))
    ):
        raise Invalid({"task": "This task is not part of the case."})
    return read_purpose(problems, task)


async def _founder_phone(case_id: int) -> tuple[str, str]:
    """The founder's mobile number and the enterprise's name."""
    row = (
        await Case.select(
            Case.enterprise.name.as_alias("enterprise_name"),
            Case.enterprise._.founder._.phone_cipher.as_alias("phone_cipher"),
        )
        .where(Case.id == case_id)
        .first()
    )
    phone = decrypt((row or {}).get("phone_cipher") or "")  # stored encrypted (enterprises.phones)
    if not _MOBILE.match(phone):
        raise Invalid({"phone": "The founder has no mobile phone on record. Ask him to sign on the screen instead."})
    return phone, (row or {}).get("enterprise_name") or ""


async def _event(actor: Actor, case_id: int, kind: str, **data: Any) -> None:
    await CaseEvent.insert(CaseEvent(case=case_id, actor=actor.user_id, kind=kind, data=data))


async def request_code(actor: Actor, case_id: int, purpose: Mapping[str, Any]) -> int:
    """Send a one-time code to the founder's phone; returns the confirmation's id."""
    case = await reach_case(actor, case_id)
    _check_broker(actor)
    stored = await _checked_purpose(actor, case, purpose)
    phone, enterprise = await _founder_phone(case_id)
    code = new_code()
    minutes = settings.limits.confirmation_code_minutes
    async with write_transaction():
        rows = await Confirmation.insert(
            Confirmation(
                case=case_id,
                requested_by=actor.user_id,
                method=Method.CODE,
                code_digest=digest(code),
                expires_at=expiry(datetime.now(UTC), minutes),
                purpose=stored,
            )
        ).returning(Confirmation.id)
        confirmation_id: int = rows[0]["id"]
        text = gettext(settings.default_locale, code_text(stored), code=code, enterprise=enterprise, minutes=minutes)
        job = await queue_text(case_id, confirmation_id, phone, text)
        await _event(actor, case_id, "confirmation_requested", confirmation=confirmation_id, method="code", **stored)
    await dispatch([job])
    return confirmation_id


async def _confirmation_row(confirmation_id: int) -> dict[str, Any]:
    row = await Confirmation.select().where(Confirmation.id == confirmation_id).output(load_json=True).first()
    if row is None:
        raise NotFound()
    return row


def _refusal(verdict: Verdict, tries: int) -> Invalid:
    error = Invalid({"code": VERDICT_MESSAGES[verdict]}, VERDICT_MESSAGES[verdict])
    if verdict is Verdict.WRONG:
        error.message = "The code is wrong. Tries left: {left}."
        error.params = {"left": max(0, settings.limits.confirmation_code_tries - tries)}
    return error


async def confirm_code(actor: Actor, confirmation_id: int, code: str, case_id: int | None = None) -> ConfirmationFacts:
    """Check the code the founder read out; a wrong one counts a try (kept even though this raises)."""
    row = await _confirmation_row(confirmation_id)
    case = await reach_case(actor, case_id if case_id is not None else row["case"])
    _check_broker(actor)
    if row["case"] != case["id"]:
        raise Invalid({"code": "This confirmation was given for another case."})
    typed = read_code(code)
    if typed is None:
        raise Invalid({"code": "Type the 6-digit code."})
    facts = facts_of(row)
    max_tries = settings.limits.confirmation_code_tries
    now = datetime.now(UTC)
    verdict = judge_code(facts, code_matches(typed, row["code_digest"], digest), now, max_tries)
    tries = facts.tries
    async with write_transaction():
        if verdict is Verdict.CONFIRMED:
            # Conditional: a code used up or confirmed by a concurrent request cannot confirm twice.
            done = (
                await Confirmation.update({Confirmation.confirmed_at: now})
                .where(
                    (Confirmation.id == confirmation_id)
                    & Confirmation.confirmed_at.is_null()
                    & (Confirmation.tries < max_tries)
                    & (Confirmation.expires_at > now)
                )
                .returning(Confirmation.id)
            )
            if not done:
                raise Conflict()
            await _event(actor, case["id"], "confirmation_confirmed", confirmation=confirmation_id, method="code")
        elif verdict in COUNTS_A_TRY:
            counted = (
                await Confirmation.update({Confirmation.tries: Confirmation.tries + 1})
                .where(
                    (Confirmation.id == confirmation_id)
                    & Confirmation.confirmed_at.is_null()
                    & (Confirmation.tries < max_tries)
                )
                .returning(Confirmation.tries)
            )
            tries = counted[0]["tries"] if counted else max_tries
            if tries >= max_tries:
                verdict = Verdict.WRONG_LAST
            await _event(
                actor, case["id"], "confirmation_failed", confirmation=confirmation_id, reason=verdict, tries=tries
            )
        else:
            await _event(actor, case["id"], "confirmation_failed", confirmation=confirmation_id, reason=verdict)
    if verdict is not Verdict.CONFIRMED:
        raise _refusal(verdict, tries)
    return facts_of({**row, "confirmed_at": now})


async def record_signature(actor: Actor, case_id: int, png: str | bytes, purpose: Mapping[str, Any]) -> int:
    """Keep the founder's signature drawn on the broker's screen as a confirmed confirmation; returns its id."""
    case = await reach_case(actor, case_id)
    _check_broker(actor)
    stored = await _checked_purpose(actor, case, purpose)
    image = read_signature(png)
    async with write_transaction():
        attachment_id = await store(actor, case_id, "signature.png", image, purpose="signature")
        rows = await Confirmation.insert(
            Confirmation(
                case=case_id,
                requested_by=actor.user_id,
                method=Method.SIGNATURE,
                confirmed_at=datetime.now(UTC),
                signature=attachment_id,
                purpose=stored,
            )
        ).returning(Confirmation.id)
        confirmation_id: int = rows[0]["id"]
        await _event(
            actor,
            case_id,
            "confirmation_confirmed",
            confirmation=confirmation_id,
            method="signature",
            attachment=attachment_id,
            **stored,
        )
    return confirmation_id


async def confirmation_file(actor: Actor, case_id: int, confirmation_id: int) -> dict[str, Any]:
    """A confirmation of a case the actor reaches, with what its page shows."""
    case = await reach_case(actor, case_id)
    row = await _confirmation_row(confirmation_id)
    if row["case"] != case_id:
        raise NotFound()
    facts = facts_of(row)
    problems = (
        await Problem.select(Problem.id, Problem.title, Problem.closed_out_at)
        .where((Problem.case == case_id) & Problem.id.is_in(sorted(facts.problems) or [0]))
        .order_by(Problem.position)
    )
    return {
        "case": case,
        **await _where_it_stands(facts),
        "problems": problems,
        "open_problems": [p["id"] for p in problems if p["closed_out_at"] is None],
        "signature": row["signature"],
    }


async def _where_it_stands(facts: ConfirmationFacts) -> dict[str, Any]:
    """What a page asking for the founder's code shows of a confirmation: its state and tries left, the
    (masked) phone the code went to and how its text message stands, and in demo mode the code itself."""
    max_tries = settings.limits.confirmation_code_tries
    kept = await last_text(facts.case_id, facts.id) if facts.method is Method.CODE else None
    demo_code = ""
    if settings.demo and kept is not None:
        # Demo only: there is no real phone, so the page shows what was "sent" to it.
        demo_code = code_in_text(kept.text) or ""
    return {
        "confirmation": facts,
        "state": code_state(facts, datetime.now(UTC), max_tries),
        "tries_left": max(0, max_tries - facts.tries),
        "phone": mask_phone(kept.phone) if kept else "",
        "text_status": kept.status if kept else "",
        "demo_code": demo_code,
    }


async def task_confirmation(case_id: int, task_id: int, named: int | None = None) -> dict[str, Any] | None:
    """The founder's confirmation a visit task's page shows (`rules.shown_for_task`), with where it stands;
    None when there is none. For a task of that case the caller has checked the actor reaches."""
    rows = (
        await Confirmation.select(
            Confirmation.id,
            Confirmation.case,
            Confirmation.method,
            Confirmation.purpose,
            Confirmation.confirmed_at,
            Confirmation.expires_at,
            Confirmation.tries,
        )
        .where(Confirmation.case == case_id)
        .output(load_json=True)
    )
    max_tries = settings.limits.confirmation_code_tries
    shown = shown_for_task([facts_of(row) for row in rows], task_id, named, datetime.now(UTC), max_tries)
    return None if shown is None else await _where_it_stands(shown)
