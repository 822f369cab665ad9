"""The rows the OpenAPI property tests' requests may hit, made through the services as people would make them.

Alice (broker, district A) and Bob (district B) each file a case; Olga (officer, district A) and
Carl (city officer) dispatch Alice's tasks, Alice attaches files, writes a note and asks the
founder for a code; Eve, an expert of the pool, leads two more of Alice's cases: one whose plan
Olga sent back to be revised, one under way with a problem ready to close out on the founder's
signature. Each part is made only for the operations that reach its rows (the world is made
afresh for every operation), so that the session stays short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from accounts.policy import Actor, Role
from accounts.tables import Notification
from casework.attachments.files import add_attachment
from casework.confirmations.service import record_signature, request_code
from casework.notes.service import add_note
from casework.plans.live import today
from casework.plans.progress import record_progress
from casework.plans.writing import add_measure, add_problem, write_diagnosis
from casework.services import Details, file_need, transition_case
from casework.states import Transition
from casework.tables import Assignment, Case, FollowUp, Task
from casework.tasks.completing import CompletionRequest, complete_task
from casework.tasks.dispatching import DispatchRequest, cancel_task, dispatch_task
from casework.tasks.rules import TaskKind
from enterprises.services import register_enterprise
from enterprises.tables import Enterprise
from experts.tables import Expert
from tests.conftest import DISTRICT_A, DISTRICT_B, Personas

# The smallest files a case accepts, as far as their first bytes tell: a PNG (a photo, a signature) and a PDF.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

CASEWORK = "casework"  # tasks, files, a note and a code confirmation on Alice's case
REVISING = "revising"  # a plan sent back to Eve to revise: hers to change
UNDER_WAY = "under way"  # an approved plan under way: a problem ready to close out on the founder's signature
OFFERED = "offered"  # a triaged case offered to Eve (hers to answer), another triaged awaiting an offer
PARTS = (CASEWORK, REVISING, UNDER_WAY, OFFERED)
PLAN = "/api/v1/cases/{case_id}/plan"
CONFIRMATIONS = "/api/v1/cases/{case_id}/confirmations"
# What an operation reaches beyond the enterprises, cases and experts; by the end of its path.
_PLAN_PARTS = {
    "/plan/measures/{measure_id}": {REVISING, UNDER_WAY},  # a change to the plan, or progress on it
    "/plan/close-out": {UNDER_WAY},
    "/plan": {REVISING, UNDER_WAY},  # read; its diagnosis is written only while the plan is (below)
}
_CONFIRMATION_PARTS = {
    "/confirmations/{confirmation_id}/code": {CASEWORK},  # the code sent for a visit
}


def parts_for(method: str, path: str) -> set[str]:
    """The parts of the world an operation (`GET`, `/api/v1/tasks`) reaches."""
    if path == PLAN and method != "GET":
        return {REVISING}
    if path.startswith(PLAN):
        return next((parts for end, parts in _PLAN_PARTS.items() if path.endswith(end)), {REVISING})
    if path.startswith(CONFIRMATIONS):
        return next((parts for end, parts in _CONFIRMATION_PARTS.items() if path.endswith(end)), {CASEWORK, UNDER_WAY})
    if path.startswith("/api/v1/tasks") or any(path.endswith(f"/{{case_id}}/{s}") for s in ("attachments", "notes")):
        return {CASEWORK}
    if path.endswith(("/{attachment_id}", "/{case_id}/events")):
        return {CASEWORK}
    if "/offers" in path:
        return {OFFERED}
    if path.endswith("/expert-matches"):
        return {OFFERED}  # a triaged case awaiting an offer: experts ranked for it
    return set()


@dataclass
class World:
    """Seeded ids: by the name of the parameter or field that takes them, and a case's rows with their case."""

    ids: dict[str, list[int]] = field(default_factory=dict)
    in_case: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # name -> (case id, row id)

    def add(self, name: str, *ids: int) -> None:
        self.ids.setdefault(name, []).extend(ids)

    def add_in_case(self, name: str, case_id: int, *ids: int) -> None:
        self.in_case.setdefault(name, []).extend((case_id, row_id) for row_id in ids)
        self.add(name, *ids)

    def of(self, name: str) -> list[int]:
        return self.ids.get(name, [])


@dataclass
class Cast:
    personas: Personas

    def __call__(self, username: str) -> Actor:
        role, district = {
            "alice": (Role.BROKER, DISTRICT_A),
            "bob": (Role.BROKER, DISTRICT_B),
            "olga": (Role.DISTRICT_OFFICER, DISTRICT_A),
            "carl": (Role.CITY_OFFICER, ""),
            "eve": (Role.EXPERT, ""),
        }[username]
        return Actor(user_id=self.personas.ids[username], role=role, district=district)


async def make_world(personas: Personas, parts: Iterable[str] = ()) -> World:
    """The enterprises, cases, experts and notifications every operation gets, and the `parts` asked for."""
    world, actor = World(), Cast(personas)
    world.add("broker_id", personas.ids["alice"], personas.ids["bob"])
    for broker, district, name in (("alice", DISTRICT_A, "开州红薯粉坊"), ("bob", DISTRICT_B, "永川茶园")):
        enterprise_id = await register_enterprise(
            actor(broker),
            {
                "name": name,
                "district": district,
                "town": "汉丰街道",
                "founder_name": "张三",
                "founder_phone": "13800000000" if district == DISTRICT_A else "13900000000",
                "legal_form": "individual_business",
                "industry": "A",
            },
        )
        world.add("enterprise_id", enterprise_id)
        need = {"category": "financing", "description": "周转资金", "amount_sought": "50000"}
        world.add("case_id", await file_need(actor(broker), enterprise_id, need))
    # Each filing opened its case's triage clock: `/api/v1/follow-ups/{follow_up_id}` may name one.
    world.add("follow_up_id", *(row["id"] for row in await FollowUp.select(FollowUp.id)))
    experts = await Expert.insert(
        Expert(
            name="李工",
            user=personas.ids["eve"],
            organisation="重庆市农科院",
            title="高级农艺师",
            specialties=["technology", "market"],
            districts=[DISTRICT_A],
            capacity=3,
        ),
        Expert(name="王律师", specialties=["legal"]),
    ).returning(Expert.id)
    world.add("expert", *(row["id"] for row in experts))
    world.add("expert_id", *world.of("expert"))  # /api/v1/experts/{expert_id}
    for username in ("alice", "carl"):
        await Notification.insert(
            Notification(
                user=personas.ids[username],
                kind="case_filed",
                subject="新案件",
                body="A case was filed.",
                dedupe_key=f"schema-test-{username}",
            )
        )
    if CASEWORK in parts:
        await _casework(world, actor)
    if REVISING in parts:
        await _revising(world, actor)
    if UNDER_WAY in parts:
        await _under_way(world, actor)
    if OFFERED in parts:
        await _offered(world, actor)
    # The versions a client would have read: of the cases (transitions, plan changes), the tasks and the enterprises.
    rows = [
        *await Case.select(Case.version),
        *await Task.select(Task.version),
        *await Enterprise.select(Enterprise.version),
    ]
    world.add("version", *sorted({row["version"] for row in rows}))
    return world


async def _casework(world: World, actor: Cast) -> None:
    """On Alice's case: a photo and a document she attached, her note, and tasks in every status.

    Bob's enterprise gets a survey (a task about an enterprise alone), which Bob completed.
    """
    case_id = world.of("case_id")[0]
    alice = actor("alice")
    photo = await add_attachment(alice, case_id, "门头.png", PNG, "photo", "作坊门头")
    document = await add_attachment(alice, case_id, "营业执照.pdf", PDF, "document")
    world.add_in_case("attachment_id", case_id, photo, document)
    await add_note(alice, case_id, "创业者希望先解决周转资金")

    due = today() + timedelta(days=7)

    async def dispatch(by: str, kind: TaskKind, broker: str, case: int | None, enterprise: int | None = None) -> int:
        request = DispatchRequest(kind, due, "上门核实经营情况", actor(broker).user_id, case, enterprise)
        return await dispatch_task(actor(by), request)

    visit = await dispatch("olga", TaskKind.VISIT, "alice", case_id)
    collect = await dispatch("olga", TaskKind.COLLECT_DOCUMENT, "alice", case_id)
    cancelled = await dispatch("carl", TaskKind.VISIT, "alice", case_id)
    survey = await dispatch("carl", TaskKind.SURVEY, "bob", None, world.of("enterprise_id")[1])
    await cancel_task(actor("olga"), cancelled, 1, "改为电话沟通")
    answers = {
        "employees": "8",
        "migrant_employees": "3",
        "revenue_band": "100k_500k",
        "status": "operating",
        "loans_obtained": "no",
    }
    await complete_task(actor("bob"), survey, CompletionRequest(version=1, note="有扩大生产的意愿", answers=answers))
    world.add("task_id", visit, collect, cancelled, survey)
    # A code sent to the founder for the visit, not yet typed in.
    world.add_in_case("confirmation_id", case_id, await request_code(alice, case_id, {"task": visit}))


async def _move(case_id: int, who: Actor, transition: Transition, reason: str = "", expert: int | None = None) -> None:
    """`who` moves the case on from the version it is at."""
    row = await Case.select(Case.version).where(Case.id == case_id).first()
    assert row is not None
    await transition_case(who, case_id, transition, row["version"], reason, Details(expert=expert))


async def _to_planning(actor: Cast, case_id: int, expert_id: int) -> None:
    """Triaged and assigned by Olga, accepted and diagnosed by Eve: the plan is hers to write."""
    eve, olga = actor("eve"), actor("olga")
    await _move(case_id, olga, Transition.TRIAGE)
    await _move(case_id, olga, Transition.ASSIGN, expert=expert_id)
    await _move(case_id, eve, Transition.ACCEPT_ASSIGNMENT)
    await _move(case_id, eve, Transition.START_DIAGNOSIS)
    await write_diagnosis(eve, case_id, "冷库容量不足，旺季收购资金紧张")
    await _move(case_id, eve, Transition.FINISH_DIAGNOSIS)


async def _planned(world: World, actor: Cast) -> tuple[int, list[tuple[int, int]]]:
    """A case of Alice's enterprise whose plan Eve submitted: two problems of one measure each, hers to carry out.

    Returns the case id and the (problem id, measure id) pairs.
    """
    alice, eve = actor("alice"), actor("eve")
    case_id = await file_need(alice, world.of("enterprise_id")[0], {"category": "market", "description": "找销路"})
    await _to_planning(actor, case_id, world.of("expert")[0])
    due = (today() + timedelta(days=20)).isoformat()
    written = []
    for title in ("资金周转困难", "缺少冷链"):
        problem_id = await add_problem(eve, case_id, {"title": title, "description": "旺季收购压力大"})
        form = {"description": "对接区农商行，办理创业担保贷款", "owner": "expert", "owner_name": "", "due_on": due}
        written.append((problem_id, await add_measure(eve, case_id, problem_id, form)))
    await _move(case_id, eve, Transition.SUBMIT_PLAN)
    world.add("case_id", case_id)
    world.add_in_case("number", case_id, 1)
    world.add_in_case("problem_id", case_id, *(p for p, _ in written))
    world.add_in_case("measure_id", case_id, *(m for _, m in written))
    return case_id, written


async def _revising(world: World, actor: Cast) -> None:
    case_id, _written = await _planned(world, actor)
    await _move(case_id, actor("olga"), Transition.RETURN_PLAN, "期限太紧，请放宽到一个月")


async def _under_way(world: World, actor: Cast) -> None:
    """Approved and started; one problem's measure done and confirmed by the founder's signature, one to do."""
    eve = actor("eve")
    case_id, ((ready, measure), _to_do) = await _planned(world, actor)
    await _move(case_id, actor("olga"), Transition.APPROVE_PLAN)
    await _move(case_id, eve, Transition.START_WORK)
    await record_progress(eve, case_id, measure, "doing")
    await record_progress(eve, case_id, measure, "done")
    signed = await record_signature(actor("alice"), case_id, PNG, {"problems": [ready]})
    world.add_in_case("confirmation_id", case_id, signed)


async def _offered(world: World, actor: Cast) -> None:
    """Two of Alice's cases triaged by Olga: the first offered to Eve (her open offer), the second awaiting an offer."""
    alice, olga = actor("alice"), actor("olga")
    cases = []
    for _ in range(2):
        case_id = await file_need(alice, world.of("enterprise_id")[0], {"category": "market", "description": "找销路"})
        await _move(case_id, olga, Transition.TRIAGE)
        cases.append(case_id)
    await _move(cases[0], olga, Transition.ASSIGN, expert=world.of("expert")[0])
    world.add("case_id", *cases)
    offers = await Assignment.select(Assignment.id).where(Assignment.case == cases[0])
    world.add_in_case("offer_id", cases[0], *(row["id"] for row in offers))
