"""Loading the facts matching ranks on: the case's, and the pool's in a few queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from casework.matching.facts import case_facts, expert_facts, working_days_between
from casework.matching.service import next_expert
from casework.tables import Assignment, Case
from casework.workflow import CaseState, Transition
from enterprises.tables import Enterprise
from experts.tables import Expert, ExpertConflict
from tests.casework.life import Life
from tests.conftest import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


def by_id(facts: list[Any]) -> dict[int, Any]:
    return {fact.expert_id: fact for fact in facts}


async def test_it_reads_the_case_needs_industry_district_founder_and_passed_over_experts(life: Life) -> None:
    eve, ed = await life.expert("eve"), await life.expert("ed", name="王工")
    case = await life.case(category="market")
    await Enterprise.update({Enterprise.industry: "A"}).where(Enterprise.id == (await enterprise_of(case)))
    await life.move("olga", case, T.TRIAGE)
    await life.move("olga", case, T.ASSIGN, expert=eve)
    await life.move("eve", case, T.DECLINE_ASSIGNMENT, "太忙")

    facts = await case_facts(case)

    enterprise = await Enterprise.select(Enterprise.founder).where(Enterprise.id == await enterprise_of(case)).first()
    assert facts.categories == frozenset({"market"})
    assert (facts.industry, facts.district) == ("A", DISTRICT_A)
    assert enterprise is not None and facts.founders == frozenset({enterprise["founder"]})
    assert facts.passed_over == frozenset({eve})
    assert ed not in facts.passed_over


async def enterprise_of(case_id: int) -> int:
    row = await Case.select(Case.enterprise).where(Case.id == case_id).first()
    assert row is not None
    enterprise: int = row["enterprise"]
    return enterprise


async def founder_of(enterprise: int) -> int:
    row = await Enterprise.select(Enterprise.founder).where(Enterprise.id == enterprise).first()
    assert row is not None
    founder: int = row["founder"]
    return founder


async def test_it_loads_experts_with_an_account_and_their_active_load(life: Life) -> None:
    eve = await life.expert("eve")
    await Expert.insert(Expert(name="无账号", specialties=["market"]))
    open_case, ended_case = await life.case(), await life.case()
    await life.bring_to(open_case, S.ASSIGNED)
    await life.bring_to(ended_case, S.ASSIGNED)
    await Case.update({Case.state: S.CLOSED, Case.outcome: "resolved"}).where(Case.id == ended_case)

    facts = by_id(await expert_facts())

    assert list(facts) == [eve]
    assert facts[eve].load == 1  # the closed case no longer weighs on him
    assert facts[eve].lead == frozenset({"market"})


async def test_it_counts_his_record_per_category_of_the_closed_cases_he_led(life: Life) -> None:
    eve = await life.expert("eve")
    cases = [await life.case(category="market") for _ in range(3)] + [await life.case(category="financing")]
    for case in cases:
        await life.bring_to(case, S.ASSIGNED)
    outcomes = ["resolved", "not_resolved", "resolved", "resolved"]
    for case, outcome in zip(cases, outcomes, strict=True):
        await Case.update({Case.state: S.CLOSED, Case.outcome: outcome}).where(Case.id == case)

    facts = by_id(await expert_facts())

    assert dict(facts[eve].record) == {"market": (2, 3), "financing": (1, 1)}


async def test_it_takes_the_median_working_days_he_took_to_accept(life: Life) -> None:
    eve = await life.expert("eve")
    cases = [await life.case() for _ in range(3)]
    # Offered on Monday 7 December 2026; accepted the same day, the next day and the next Thursday.
    offered = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    for case, answered in zip(cases, [offered, offered + timedelta(days=1), offered + timedelta(days=3)], strict=True):
        await life.bring_to(case, S.ASSIGNED)
        await Assignment.update({Assignment.offered_at: offered, Assignment.answered_at: answered}).where(
            Assignment.case == case
        )

    facts = by_id(await expert_facts())

    assert facts[eve].accept_days == 1.0


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 12, 7), date(2026, 12, 7), 0),
        (date(2026, 12, 7), date(2026, 12, 8), 1),
        (date(2026, 12, 11), date(2026, 12, 14), 1),  # Friday to Monday: the weekend does not count
        (date(2026, 12, 12), date(2026, 12, 13), 0),  # offered and answered over the weekend
    ],
)
def test_it_counts_working_days_between_offer_and_answer(start: date, end: date, days: int) -> None:
    assert working_days_between(start, end) == days


async def test_it_reads_declared_conflicts_with_enterprises_and_founders(life: Life) -> None:
    eve, ed = await life.expert("eve"), await life.expert("ed", name="王工")
    case = await life.case()
    enterprise = await enterprise_of(case)
    founder = await founder_of(enterprise)
    await ExpertConflict.insert(
        ExpertConflict(expert=eve, enterprise=enterprise, kind="equity"),
        ExpertConflict(expert=ed, founder=founder, kind="kin"),
    )

    facts = by_id(await expert_facts())

    assert (facts[eve].conflict_enterprises, facts[eve].conflict_founders) == (frozenset({enterprise}), frozenset())
    assert (facts[ed].conflict_enterprises, facts[ed].conflict_founders) == (frozenset(), frozenset({founder}))
    await life.move("olga", case, T.TRIAGE)
    assert await next_expert(case, date(2026, 12, 7)) is None  # both conflicted


async def test_it_keeps_to_the_experts_serving_the_district_or_the_city(life: Life) -> None:
    eve, ed = await life.expert("eve"), await life.expert("ed", name="王工")
    await Expert.update({Expert.districts: [DISTRICT_B]}).where(Expert.id == ed)

    assert [fact.expert_id for fact in await expert_facts(DISTRICT_A)] == [eve]
    assert [fact.expert_id for fact in await expert_facts(DISTRICT_B)] == [eve, ed]


async def test_it_names_the_next_expert_for_a_case_whose_offer_lapsed(life: Life) -> None:
    eve, ed = await life.expert("eve"), await life.expert("ed", name="王工")
    case = await life.case()
    await life.move("olga", case, T.TRIAGE)
    await life.move("olga", case, T.ASSIGN, expert=eve)
    await Assignment.update({Assignment.status: "lapsed"}).where(Assignment.case == case)

    match = await next_expert(case, date(2026, 12, 7))

    assert match is not None and match.expert_id == ed
