"""Every kind of event reads as a line of the timeline; no kind and no data make it fail."""

from __future__ import annotations

from typing import Any

import pytest

from casework.states import CaseState, Outcome, Transition
from casework.timeline.lines import TRANSITION_LINES, Group, Line, describe

pytestmark = pytest.mark.pure


def english(line: Line) -> str:
    return line.render(lambda message: message)


# kind, from_state, to_state, data -> the line in English, its group
TABLE: list[tuple[str, str, str, Any, str, Group]] = [
    ("filed", "", "submitted", {}, "Filed the need", Group.TRANSITION),
    ("filed", "", "draft", {}, "Saved the need as a draft", Group.TRANSITION),
    ("submit", "draft", "submitted", {}, "Submitted the case", Group.TRANSITION),
    (
        "submit",
        "draft",
        "submitted",
        {"answered": True},
        "Answered the officer's question and submitted the case again",
        Group.TRANSITION,
    ),
    ("return_to_broker", "submitted", "draft", {}, "Returned the case to the broker with a question", Group.TRANSITION),
    ("triage", "submitted", "triaged", {}, "Accepted the case for support", Group.TRANSITION),
    ("decline", "triaged", "declined", {}, "Declined the case", Group.TRANSITION),
    ("merge", "triaged", "merged", {"case": 41}, "Merged the case into case 41", Group.TRANSITION),
    ("merge", "triaged", "merged", {}, "Merged the case into another case", Group.TRANSITION),
    ("withdraw", "draft", "withdrawn", {}, "Withdrew the case", Group.TRANSITION),
    (
        "hold",
        "planning",
        "on_hold",
        {"resume_on": "2026-02-25"},
        "Put the case on hold until 2026-02-25",
        Group.TRANSITION,
    ),
    ("hold", "planning", "on_hold", {}, "Put the case on hold", Group.TRANSITION),
    ("resume", "on_hold", "planning", {}, "Resumed work on the case", Group.TRANSITION),
    ("assign", "triaged", "assigned", {"expert_name": "李工"}, "Assigned the case to 李工", Group.TRANSITION),
    ("assign", "triaged", "assigned", {"expert": 3}, "Assigned the case to an expert", Group.TRANSITION),
    ("accept_assignment", "assigned", "assigned", {}, "Accepted the assignment", Group.TRANSITION),
    ("decline_assignment", "assigned", "triaged", {}, "Declined the assignment", Group.TRANSITION),
    ("start_diagnosis", "assigned", "diagnosing", {}, "Started the diagnosis", Group.TRANSITION),
    ("finish_diagnosis", "diagnosing", "planning", {}, "Finished the diagnosis and started the plan", Group.TRANSITION),
    ("submit_plan", "planning", "planning", {"version": 2}, "Submitted plan version 2", Group.TRANSITION),
    ("approve_plan", "planning", "plan_approved", {"version": 2}, "Approved plan version 2", Group.TRANSITION),
    ("return_plan", "planning", "planning", {"version": 1}, "Returned plan version 1 with comments", Group.TRANSITION),
    ("return_plan", "planning", "planning", {}, "Returned the plan with comments", Group.TRANSITION),
    ("start_work", "plan_approved", "in_progress", {}, "Started work on the plan", Group.TRANSITION),
    ("start_monitoring", "in_progress", "monitoring", {}, "Moved the case to monitoring", Group.TRANSITION),
    ("close", "monitoring", "closed", {"outcome": "resolved"}, "Closed the case: Resolved", Group.TRANSITION),
    ("close", "monitoring", "closed", {"outcome": "bogus"}, "Closed the case", Group.TRANSITION),
    ("reopen", "closed", "in_progress", {}, "Reopened the case", Group.TRANSITION),
    ("merged", "", "", {"case": 7}, "Case 7 was merged into this case", Group.TRANSITION),
    ("merged", "", "", {}, "Another case was merged into this case", Group.TRANSITION),
    ("notified", "", "", {"users": [1, 2, 3]}, "Notified those concerned (3)", Group.NOTICE),
    ("notified", "", "", {"count": 2, "users": [1, 2, 3]}, "Notified those concerned (2)", Group.NOTICE),
    ("notified", "", "", {"count": 1}, "Notified those concerned (1)", Group.NOTICE),
    ("notified", "", "", {}, "Notified those concerned", Group.NOTICE),
    ("note", "", "", {}, "Added a note", Group.NOTE),
    (
        "attachment",
        "",
        "",
        {"attachment": 5, "name": "营业执照.pdf", "purpose": "document"},
        "Attached 营业执照.pdf (document or scan)",
        Group.ATTACHMENT,
    ),
    (
        "attachment",
        "",
        "",
        {"attachment": 6, "purpose": "photo"},
        "Attached a file (site or product photo)",
        Group.ATTACHMENT,
    ),
    (
        "attachment",
        "",
        "",
        {"name": "签名.png", "purpose": "signature"},
        "Attached 签名.png (founder's signature)",
        Group.ATTACHMENT,
    ),
    (
        "attachment",
        "",
        "",
        {"name": "a.jpg", "purpose": "evidence"},
        "Attached a.jpg (evidence of a measure)",
        Group.ATTACHMENT,
    ),
    (
        "reveal",
        "",
        "",
        {"fields": ["phone", "id_number"]},
        "Revealed the founder's phone and ID numbers in full",
        Group.REVEAL,
    ),
    ("reveal", "", "", {"fields": ["phone"]}, "Revealed the founder's phone number in full", Group.REVEAL),
    ("reveal", "", "", {"fields": ["id_number"]}, "Revealed the founder's ID number in full", Group.REVEAL),
    ("reveal", "", "", {}, "Revealed the founder's personal data in full", Group.REVEAL),
    ("plan_edited", "", "", {}, "Edited the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "diagnosis"}, "Wrote the diagnosis", Group.PLAN),
    ("plan_edited", "", "", {"change": "problem_added", "problem": 3}, "Added a problem to the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "problem_edited"}, "Edited a problem of the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "problem_removed"}, "Removed a problem from the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "problem_moved"}, "Reordered the problems of the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "measure_added"}, "Added a measure to the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "measure_edited"}, "Edited a measure of the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "measure_removed"}, "Removed a measure from the plan", Group.PLAN),
    ("plan_edited", "", "", {"change": "measure_moved"}, "Reordered the measures of a problem", Group.PLAN),
    ("plan_edited", "", "", {"change": "budget"}, "Edited the plan", Group.PLAN),
    ("measure_updated", "", "", {"measure": 1, "from": "doing", "to": "done"}, "Marked a measure as done", Group.PLAN),
    ("measure_updated", "", "", {"from": "todo", "to": "doing"}, "Started work on a measure", Group.PLAN),
    ("measure_updated", "", "", {"to": "dropped"}, "Dropped a measure", Group.PLAN),
    ("measure_updated", "", "", {"evidence": True, "attachment": 8}, "Added evidence to a measure", Group.PLAN),
    ("measure_updated", "", "", {"status": "todo"}, "Set a measure back to to do", Group.PLAN),
    ("measure_updated", "", "", {}, "Updated a measure", Group.PLAN),
    (
        "problem_closed_out",
        "",
        "",
        {"title": "冷库资金"},
        "Closed out the problem “冷库资金” with the enterprise's confirmation",
        Group.PLAN,
    ),
    (
        "problem_closed_out",
        "",
        "",
        {"problem": 4},
        "Closed out a problem with the enterprise's confirmation",
        Group.PLAN,
    ),
    (
        "confirmation_requested",
        "",
        "",
        {"method": "code"},
        "Sent a confirmation code to the founder's phone",
        Group.CONFIRMATION,
    ),
    (
        "confirmation_requested",
        "",
        "",
        {"method": "signature"},
        "Asked the founder to sign on the screen",
        Group.CONFIRMATION,
    ),
    (
        "confirmation_confirmed",
        "",
        "",
        {"method": "code"},
        "The founder confirmed with the code sent to his phone",
        Group.CONFIRMATION,
    ),
    ("confirmation_confirmed", "", "", {"method": "signature"}, "The founder signed on the screen", Group.CONFIRMATION),
    ("confirmation_confirmed", "", "", {}, "The founder confirmed", Group.CONFIRMATION),
    (
        "confirmation_failed",
        "",
        "",
        {"reason": "wrong", "tries": 1},
        "A wrong confirmation code was entered",
        Group.CONFIRMATION,
    ),
    (
        "confirmation_failed",
        "",
        "",
        {"reason": "wrong_last"},
        "A wrong confirmation code was entered; the code no longer works",
        Group.CONFIRMATION,
    ),
    (
        "confirmation_failed",
        "",
        "",
        {"reason": "used_up"},
        "A confirmation code was entered after its tries were used up",
        Group.CONFIRMATION,
    ),
    (
        "confirmation_failed",
        "",
        "",
        {"reason": "expired"},
        "An expired confirmation code was entered",
        Group.CONFIRMATION,
    ),
    (
        "confirmation_failed",
        "",
        "",
        {"reason": "already_used"},
        "A confirmation code was entered a second time",
        Group.CONFIRMATION,
    ),
    (
        "text_sent",
        "",
        "",
        {"message": 4, "gateway": "log"},
        "A text message was sent to the founder's phone",
        Group.CONFIRMATION,
    ),
    ("confirmation_failed", "", "", {}, "The founder's confirmation failed", Group.CONFIRMATION),
    (
        "task_dispatched",
        "",
        "",
        {"task": 9, "task_kind": "visit"},
        "Dispatched a task to the broker: a visit to the enterprise",
        Group.TASK,
    ),
    ("task_dispatched", "", "", {"task": 9}, "Dispatched a task to the broker", Group.TASK),
    ("task_done", "", "", {"task_kind": "collect_document"}, "Completed a task: collecting a document", Group.TASK),
    ("task_done", "", "", {"task_kind": "survey"}, "Completed a task: an outcome survey", Group.TASK),
    ("task_done", "", "", {}, "Completed a task", Group.TASK),
    (
        "task_cancelled",
        "",
        "",
        {"task": 9, "task_kind": "visit"},
        "Cancelled a task: a visit to the enterprise",
        Group.TASK,
    ),
    ("task_cancelled", "", "", {"task": 9}, "Cancelled a task", Group.TASK),
    ("visit", "", "", {}, "Recorded a visit to the enterprise", Group.TASK),
    ("offer_made", "", "", {"expert_name": "王律师"}, "Offered the case to 王律师", Group.OFFER),
    ("offer", "", "", {}, "Offered the case to an expert", Group.OFFER),
    ("offer_accepted", "", "", {"expert_name": "王律师"}, "王律师 accepted the offer", Group.OFFER),
    ("offer_declined", "", "", {}, "The expert declined the offer", Group.OFFER),
    ("offer_expired", "", "", {"expert_name": "李工"}, "The offer to 李工 expired unanswered", Group.OFFER),
    ("offer_escalated", "", "", {}, "The case was offered on to the next expert", Group.OFFER),
    ("offer_withdrawn", "", "", {}, "Withdrew the offer", Group.OFFER),
    ("survey_returned", "", "", {}, "Recorded: survey returned", Group.OTHER),
    ("", "", "", {}, "Recorded an event", Group.OTHER),
]


@pytest.mark.parametrize(
    ("kind", "source", "target", "data", "text", "group"), TABLE, ids=[f"{r[0]}-{i}" for i, r in enumerate(TABLE)]
)
def test_it_describes_each_kind_of_event(
    kind: str, source: str, target: str, data: Any, text: str, group: Group
) -> None:
    line = describe(kind, source, target, data)

    assert english(line) == text
    assert line.group is group


def test_it_has_a_line_of_its_own_for_every_transition_of_the_workflow() -> None:
    assert set(TRANSITION_LINES) == set(Transition)
    described = {t: english(describe(t.value, "", "", {})) for t in Transition}
    assert all(text != t.label for t, text in described.items()), "a transition reads as its button label"
    assert len(set(described.values())) == len(Transition)


def test_it_shows_where_a_transition_took_the_case_and_not_where_it_stayed() -> None:
    assert describe("triage", "submitted", "triaged").state == CaseState.TRIAGED.label
    assert describe("submit_plan", "planning", "planning").state == ""
    assert describe("note").state == ""
    assert describe("filed", "", "submitted").state == CaseState.SUBMITTED.label


def test_it_translates_the_line_and_its_labels_but_not_what_users_typed() -> None:
    chinese = {
        "Closed the case: {outcome}": "结案：{outcome}",
        Outcome.RESOLVED.label: "已解决",
        "Attached {name} ({purpose})": "上传了附件 {name}（{purpose}）",
        "document or scan": "文件或扫描件",
    }

    def translate(message: str) -> str:
        return chinese.get(message, message)

    assert describe("close", data={"outcome": "resolved"}).render(translate) == "结案：已解决"
    # Braces in a file's name are shown as typed, not taken for placeholders.
    attached = describe("attachment", data={"name": "{purpose}{0}.pdf", "purpose": "document"})
    assert attached.render(translate) == "上传了附件 {purpose}{0}.pdf（文件或扫描件）"


def test_it_links_an_attachment_line_to_its_file_only_with_a_real_id() -> None:
    assert describe("attachment", data={"attachment": 12}).attachment == 12
    assert describe("attachment", data={"attachment": "12"}).attachment is None
    assert describe("attachment", data={"attachment": True}).attachment is None


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "text",
        7,
        {"users": "all"},
        {"version": "2"},
        {"version": True},
        {"fields": "phone"},
        {"fields": [1, None]},
        {"change": ["diagnosis"]},
        {"to": None, "evidence": "yes"},
        {"reason": 3},
        {"count": "2"},
        {"answered": "yes"},
        {"purpose": ["photo"]},
        {"status": 3},
        {"method": None},
        {"task_kind": {}},
        {"expert_name": 5},
        {"title": "   "},
        {"outcome": None},
        {"case": 2.5},
        {"resume_on": ""},
    ],
)
@pytest.mark.parametrize(
    "kind",
    [
        "filed",
        *[t.value for t in Transition],
        "merged",
        "notified",
        "note",
        "attachment",
        "reveal",
        "plan_edited",
        "measure_updated",
        "problem_closed_out",
        "confirmation_requested",
        "confirmation_confirmed",
        "confirmation_failed",
        "task_dispatched",
        "task_done",
        "task_cancelled",
        "text_sent",
        "visit",
        "offer_made",
        "offer_expired",
        "x" * 500,
    ],
)
def test_it_never_fails_on_data_of_an_unexpected_shape(kind: str, data: Any) -> None:
    line = describe(kind, "submitted", "no_such_state", data)

    assert english(line)
    assert line.state == ""
