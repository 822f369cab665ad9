"""How case states and transitions appear in templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casework.access import case_reach
from casework.attachments import presentation as attachment_presentation
from casework.tasks.rules import case_takes_tasks
from casework.timeline import presentation as timeline_presentation
from casework.workflow import RULES, CaseState, Needs, Outcome, Transition
from core.errors import DomainError
from core.i18n import gettext
from core.web import TemplateCallable, request_locale

# The label of the text a transition asks for, where "Reason" would not say what is wanted.
_REASON_LABELS = {
    Transition.SUBMIT: "Your answer to the officer's question",
    Transition.RETURN_TO_BROKER: "Your question to the broker",
    Transition.RETURN_PLAN: "Comments on the plan",
    Transition.HOLD: "Why the case is put on hold",
    Transition.REOPEN: "Why the case is reopened",
}


def transition_fields(transition: str, case: Mapping[str, Any]) -> list[str]:
    """The form fields a transition's rule asks the user for, in the order the form shows them.

    The answer to the officer's question is asked only while there is a question to answer.
    """
    needs = RULES[Transition(transition)].needs
    fields = [name for need, name in _FIELD_OF_NEED if need in needs]
    if Needs.REASON in needs or (Needs.ANSWER in needs and case.get("open_question")):
        fields.append("reason")
    return fields


_FIELD_OF_NEED = (
    (Needs.EXPERT, "expert"),
    (Needs.SURVIVOR, "survivor"),
    (Needs.OUTCOME, "outcome"),
    (Needs.RESUME_DATE, "resume_on"),
)


def reason_label(transition: str) -> str:
    return _REASON_LABELS.get(Transition(transition), "Reason")


TEMPLATE_GLOBALS: dict[str, Any] = {
    "state_options": [(m.value, m.label) for m in CaseState],
    "state_label": lambda v: CaseState(v).label if v in CaseState.__members__.values() else v,
    "transition_label": lambda v: Transition(v).label if v in Transition.__members__.values() else v,
    "outcome_options": [(m.value, m.label) for m in Outcome],
    "outcome_label": lambda v: Outcome(v).label if v in Outcome.__members__.values() else v,
    "transition_fields": transition_fields,
    "reason_label": reason_label,
    "case_takes_tasks": case_takes_tasks,
    **attachment_presentation.TEMPLATE_GLOBALS,
}


def _reaches_every_case(ctx: Mapping[str, Any]) -> bool:
    """Whether the user reaches every district's cases (so a district filter makes sense)."""
    user = ctx["request"].scope.get("user")
    return user is not None and case_reach(user.actor).everything


def _refusal_text(ctx: Mapping[str, Any], error: DomainError) -> str:
    """Why a transition was refused, in the user's language: states and actions by their labels."""
    locale = request_locale(ctx["request"])
    params = dict(error.params)
    if params.get("state") in CaseState.__members__.values():
        params["state"] = gettext(locale, CaseState(str(params["state"])).label)
    if "allowed" in params:
        values = [v.strip() for v in str(params["allowed"]).split(",")]
        labels = [gettext(locale, Transition(v).label) for v in values if v in Transition.__members__.values()]
        params["allowed"] = "、".join(labels) if locale == "zh_CN" else ", ".join(labels)
        params["allowed"] = params["allowed"] or "-"
    return gettext(locale, error.message, **params)


TEMPLATE_CALLABLES: dict[str, TemplateCallable] = {
    "reaches_every_case": _reaches_every_case,
    "refusal_text": _refusal_text,
    **timeline_presentation.TEMPLATE_CALLABLES,
}
