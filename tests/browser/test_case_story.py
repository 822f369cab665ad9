"""A case's whole life on three phones, in Chinese: Alice the broker files a need, Olga the district
officer returns it with a question, Alice answers, Olga triages it and assigns Eve the expert, who
accepts, diagnoses and writes the plan; Olga returns the plan once and approves the second version;
the measure is done, Alice closes the problem out with the code the founder received, and the case
moves to monitoring. After each step the one who must act next finds the message in his inbox, told
by a real `rq worker`; at the end the case's timeline tells every step in order.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from piccolo.utils.sync import run_sync
from playwright.sync_api import Locator, Page, expect
from rq.job import Job
from rq.results import Result

from accounts.policy import Actor, Role
from accounts.tables import Notification
from casework.confirmations.rules import code_in_text
from casework.confirmations.texts import job_id as text_job_id
from casework.confirmations.texts import last_text
from casework.plans.live import today
from casework.tables import CaseEvent, TextMessage
from casework.telling import job_id as notify_job_id
from core.config import settings
from core.i18n import gettext
from enterprises.services import register_enterprise
from experts.tables import Expert
from tests.browser.conftest import PROJECT, sign_in
from tests.conftest import DISTRICT_A, Personas, worker_command

pytestmark = pytest.mark.browser

ENTERPRISE = "开州区汉丰街道春华柑橘家庭农场"
QUESTION = "冷库打算建多大？现在有没有别的贷款？"
ANSWER = "冷库五百立方米，目前没有其他贷款。"
DIAGNOSIS = "柑橘品质好，但没有冷库，旺季只能低价卖给收购商。"
PROBLEM = "缺少冷库，旺季压价"
MEASURE = "对接区农商行，办理创业担保贷款建冷库"
COMMENTS = "贷款办理需要时间，期限请放宽到一个月。"
WORKER_SECONDS = 60  # how long a message may take to be told on a loaded machine
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[None]:
    """A real `rq worker` on the test queue for the whole story, stopped warm at its end."""
    with (tmp_path / "rq-worker.log").open("wb") as log:
        process = subprocess.Popen(worker_command(), cwd=PROJECT, env=os.environ.copy(), stdout=log, stderr=log)
    yield
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def finished(job_id: str) -> None:
    """Block until the worker has run the job (RQ streams its result), and check that it succeeded."""
    job = Job.fetch(job_id, connection=redis.Redis.from_url(settings.redis_url))
    result = job.latest_result(timeout=WORKER_SECONDS)
    assert result is not None, f"the worker did not run {job_id} within {WORKER_SECONDS} s"
    assert result.type is Result.Type.SUCCESSFUL, f"{job_id} failed: {result.exc_string}"


def told(case_id: int) -> None:
    """Wait until the worker has told everyone every event of the case promised to tell."""
    events = CaseEvent.select(CaseEvent.id, CaseEvent.data).where(CaseEvent.case == case_id).output(load_json=True)
    for event in events.run_sync():
        if (event["data"] or {}).get("notify"):
            finished(notify_job_id(event["id"]))


def inbox(page: Page, user_id: int, case_id: int, *subjects: str) -> None:
    """Once told, the header counts the user's unread messages, and his inbox shows these as new."""
    told(case_id)
    unread = Notification.count().where((Notification.user == user_id) & Notification.read_at.is_null()).run_sync()
    page.goto("/")
    expect(page.locator("header a[href='/notifications'] .unread")).to_have_text(zh("{count} unread", count=unread))
    page.goto("/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Inbox"))
    for subject in subjects:
        expect(page.locator("li.unread-message").filter(has_text=zh(subject, number=case_id))).to_be_visible()
    expect(page.locator("header a[href='/notifications'] .unread")).to_have_count(0)  # read now


def state(page: Page) -> Locator:
    """The badge of the case's state, the first on a case or plan page."""
    return page.locator("main .state").first


def press(page: Page, button: Locator) -> None:
    """Press a form's button and wait for the page it leads to, which must not be a refusal."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None and response.ok, f"{page.url} answered {response and response.status}"


def move(page: Page, transition: str, expected_state: str, reason_label: str = "", reason: str = "") -> None:
    """Make a transition (its reason typed first, where it asks for one) and see the case's state after it."""
    if reason_label:
        page.get_by_label(zh(reason_label)).fill(reason)
    press(page, page.get_by_role("button", name=zh(transition), exact=True))
    expect(state(page)).to_have_text(zh(expected_state))


def snap(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot, after checking that the page does not scroll sideways on the phone."""
    assert page.evaluate(NO_HORIZONTAL_SCROLL), f"{page.url} scrolls sideways on a phone"
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def test_it_carries_a_case_from_filing_to_monitoring_telling_each_step_to_the_right_inbox(
    new_page: Callable[[], Page], personas: Personas, worker: None, tmp_path: Path
) -> None:
    ids = personas.ids
    expert = Expert.insert(Expert(name="Eve", user=ids["eve"], specialties=["financing"], capacity=5))
    expert_id = expert.returning(Expert.id).run_sync()[0]["id"]
    founder = {"founder_name": "周春华", "founder_phone": "13983451234"}
    form = {"name": ENTERPRISE, "legal_form": "family_farm", "district": DISTRICT_A, "town": "汉丰街道", **founder}
    enterprise_id = run_sync(register_enterprise(Actor(ids["alice"], Role.BROKER, DISTRICT_A), form))
    alice, olga, eve = new_page(), new_page(), new_page()
    for page, username in ((alice, "alice"), (olga, "olga"), (eve, "eve")):
        sign_in(page, username)

    # Alice files the need from the enterprise's page; Olga is told.
    alice.goto(f"/enterprises/{enterprise_id}")
    alice.get_by_label(zh("What does the enterprise need?")).select_option("financing")
    alice.get_by_label(zh("Describe the need")).fill("扩建冷库，需要贷款五十万元。")
    press(alice, alice.get_by_role("button", name=zh("File the need")))
    expect(alice).to_have_url(re.compile(r"/cases/\d+\?filed=1$"))
    expect(state(alice)).to_have_text(zh("Submitted"))
    case_id = int(re.findall(r"/cases/(\d+)", alice.url)[0])
    case_url, plan_url = f"/cases/{case_id}", f"/cases/{case_id}/plan"
    inbox(olga, ids["olga"], case_id, "Case {number} was filed and awaits triage")

    # Olga returns it with a question; Alice answers and submits it again.
    olga.goto(case_url)
    move(olga, "Return to the broker with a question", "Draft", "Your question to the broker", QUESTION)
    inbox(alice, ids["alice"], case_id, "Case {number} was returned to you with a question")
    alice.goto(case_url)
    expect(alice.get_by_role("status").filter(has_text=QUESTION)).to_be_visible()
    move(alice, "Submit", "Submitted", "Your answer to the officer's question", ANSWER)
    inbox(olga, ids["olga"], case_id, "Case {number} was submitted and awaits triage")

    # Olga accepts it and offers it to Eve; Alice and Eve are told.
    olga.goto(case_url)
    move(olga, "Accept for support", "Triaged")
    olga.get_by_label(zh("Expert"), exact=True).select_option(str(expert_id))
    move(olga, "Assign an expert", "Assigned")
    snap(olga, tmp_path, "1-case-assigned")
    accepted, offered = "Case {number} was accepted for support", "An expert was offered case {number}"
    inbox(alice, ids["alice"], case_id, accepted, offered)
    inbox(eve, ids["eve"], case_id, "You are offered case {number}")

    # Eve accepts, diagnoses, and writes the plan: one problem, one measure.
    eve.goto(case_url)
    move(eve, "Accept the assignment", "Assigned")
    expect(eve.locator("main .facts")).to_contain_text(zh("Lead expert"))
    move(eve, "Start diagnosis", "Diagnosing")
    inbox(olga, ids["olga"], case_id, "The expert accepted case {number}")
    eve.goto(plan_url)
    eve.get_by_label(zh("What the expert found")).fill(DIAGNOSIS)
    press(eve, eve.get_by_role("button", name=zh("Save the diagnosis")))
    move(eve, "Finish diagnosis and start the plan", "Planning")
    eve.goto(plan_url)
    new_problem = eve.locator("#new-problem")
    new_problem.get_by_label(zh("Problem")).fill(PROBLEM)
    press(eve, new_problem.get_by_role("button", name=zh("Add the problem")))
    problem = eve.locator("article.problem").filter(has_text=PROBLEM)
    problem.get_by_text(zh("Add a measure")).click()
    adding = problem.locator("form[action$='/measures']")
    adding.get_by_label(zh("Measure")).fill(MEASURE)
    adding.get_by_label(zh("Carried out by")).select_option("bureau")
    adding.get_by_label(zh("Due on")).fill((today() + timedelta(days=14)).isoformat())
    press(eve, adding.get_by_role("button", name=zh("Add the measure")))
    expect(eve.locator("li.measure")).to_contain_text(MEASURE)
    move(eve, "Submit the plan", "Planning")
    expect(eve.locator("#plan")).to_contain_text(zh("Version {number}", number=1))
    expect(eve.locator("#plan")).to_contain_text(zh("Awaiting decision"))
    snap(eve, tmp_path, "2-case-plan-submitted")
    inbox(olga, ids["olga"], case_id, "The plan for case {number} awaits your approval")

    # Olga returns the plan with comments; Eve moves the due date and submits version 2.
    olga.goto(plan_url)
    snap(olga, tmp_path, "3-plan-to-decide")
    move(olga, "Return the plan with comments", "Planning", "Comments for the expert", COMMENTS)
    expect(olga.locator("#plan")).to_contain_text(COMMENTS)
    inbox(eve, ids["eve"], case_id, "The plan for case {number} was returned with comments")
    eve.goto(plan_url)
    expect(eve.locator("#versions")).to_contain_text(COMMENTS)
    measure = eve.locator("li.measure").first
    measure.get_by_text(zh("Edit the measure")).click()
    later = (today() + timedelta(days=35)).isoformat()
    measure.get_by_label(zh("Due on")).fill(later)
    press(eve, measure.get_by_role("button", name=zh("Save the measure")))
    expect(eve.locator("li.measure").first).to_contain_text(zh("Due on {date}", date=later))
    move(eve, "Submit the plan", "Planning")
    expect(eve.locator("#plan")).to_contain_text(zh("Version {number}", number=2))
    inbox(olga, ids["olga"], case_id, "The plan for case {number} awaits your approval")

    # Olga compares versions 1 and 2, sees the date moved, and approves.
    olga.goto(plan_url)
    press(olga, olga.get_by_role("link", name=zh("Compare versions")))
    expect(olga.get_by_role("heading", level=1)).to_contain_text(zh("Compare versions"))
    expect(olga.locator(".changed").filter(has_text=zh("Due on {date}", date=later)).first).to_be_visible()
    snap(olga, tmp_path, "4-compare-versions")
    press(olga, olga.get_by_role("link", name=zh("Back to the plan")))
    move(olga, "Approve the plan", "Plan approved")
    inbox(eve, ids["eve"], case_id, "The plan for case {number} was approved")

    # Eve starts the work and carries the measure out.
    eve.goto(plan_url)
    move(eve, "Start work on the plan", "In progress")
    eve.goto(plan_url)
    press(eve, eve.locator("li.measure").get_by_role("button", name=zh("Start"), exact=True))
    press(eve, eve.locator("li.measure").get_by_role("button", name=zh("Mark as done")))
    expect(eve.locator("li.measure .state")).to_have_text(zh("Done"))

    # At a visit Alice closes the problem out with the code the founder received.
    alice.goto(plan_url)
    alice.get_by_label(PROBLEM).check()
    press(alice, alice.get_by_role("button", name=zh("Send a code to the founder's phone")))
    expect(alice.get_by_text("139****1234")).to_be_visible()
    message = TextMessage.select(TextMessage.id).where(TextMessage.case == case_id).first().run_sync()
    assert message is not None
    finished(text_job_id(message["id"]))  # the worker "sends" the text through the gateway
    kept = run_sync(last_text(case_id))
    assert kept is not None and kept.status == "sent"
    code = code_in_text(kept.text)
    assert code is not None
    alice.get_by_label(zh("Code from the founder's phone")).fill(code)
    press(alice, alice.get_by_role("button", name=zh("Confirm and close out")))
    closed_out = zh("Closed out with the founder's confirmation.")
    expect(alice.get_by_role("status").filter(has_text=closed_out)).to_be_visible()
    expect(alice.locator("article.problem .state-closed-out")).to_be_visible()
    snap(alice, tmp_path, "5-plan-closed-out")

    # Eve moves the case to monitoring: Alice and Olga are told.
    eve.goto(plan_url)
    move(eve, "Move to monitoring", "Monitoring")
    inbox(
        alice,
        ids["alice"],
        case_id,
        "Diagnosis of case {number} has started",
        "The plan for case {number} was approved",
        "Work on the plan of case {number} has started",
        "Case {number} moved to monitoring",
    )
    snap(alice, tmp_path, "6-inbox-broker")
    inbox(olga, ids["olga"], case_id, "Case {number} moved to monitoring")

    # The case's timeline tells every step, in order, with who took it.
    alice.goto(case_url)
    expect(state(alice)).to_have_text(zh("Monitoring"))
    steps = [
        ("Alice", zh("Filed the need")),
        ("Olga", zh("Returned the case to the broker with a question")),
        ("Alice", zh("Answered the officer's question and submitted the case again")),
        ("Olga", zh("Accepted the case for support")),
        ("Olga", zh("Assigned the case to {expert_name}", expert_name="Eve")),
        ("Eve", zh("Accepted the assignment")),
        ("Eve", zh("Started the diagnosis")),
        ("Eve", zh("Wrote the diagnosis")),
        ("Eve", zh("Finished the diagnosis and started the plan")),
        ("Eve", zh("Added a problem to the plan")),
        ("Eve", zh("Added a measure to the plan")),
        ("Eve", zh("Submitted plan version {version}", version=1)),
        ("Olga", zh("Returned plan version {version} with comments", version=1)),
        ("Eve", zh("Edited a measure of the plan")),
        ("Eve", zh("Submitted plan version {version}", version=2)),
        ("Olga", zh("Approved plan version {version}", version=2)),
        ("Eve", zh("Started work on the plan")),
        ("Eve", zh("Started work on a measure")),
        ("Eve", zh("Marked a measure as done")),
        ("Alice", zh("Sent a confirmation code to the founder's phone")),
        (zh("The system"), zh("A text message was sent to the founder's phone")),
        ("Alice", zh("The founder confirmed with the code sent to his phone")),
        ("Alice", zh("Closed out the problem “{title}” with the enterprise's confirmation", title=PROBLEM)),
        ("Eve", zh("Moved the case to monitoring")),
    ]
    lines = alice.locator("ol.timeline > li")
    # Who was told reads on the line of the event, not on a line of its own below it.
    expect(lines.last.locator(".told")).to_have_text("· " + zh("Notified {count}", count=2))
    expect(alice.locator("ol.timeline > li .told")).to_have_count(13)  # each event that tells, told once
    expect(alice.locator("ol.timeline > li.event-notice")).to_have_count(0)
    shown = [(line.locator(".who").inner_text(), line.locator(".what").inner_text()) for line in lines.all()]
    remaining = iter(shown)
    for who, what in steps:
        assert any(w == who and s.startswith(what) for w, s in remaining), f"missing or out of order: {who}: {what}"
    snap(alice, tmp_path, "7-timeline")
    print(f"\nscreenshots: {tmp_path}")
