"""The seeded casework: one need, one case and its "filed" event per case, filed by the enterprise's broker
over the two years after the enterprises, in the state mix of a queue two years into service."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.seed_world import DAY, SeedSizes, Table
from casework.workflow import CaseState, Priority
from enterprises.classification import NeedCategory, Urgency

# The state mix of a queue two years into service: most cases are settled one way or another.
STATE_MIX: tuple[tuple[CaseState, float], ...] = (
    (CaseState.DRAFT, 0.08),
    (CaseState.SUBMITTED, 0.20),
    (CaseState.TRIAGED, 0.40),
    (CaseState.DECLINED, 0.15),
    (CaseState.WITHDRAWN, 0.17),
)
PRIORITY_MIX: tuple[tuple[Priority, float], ...] = (
    (Priority.LOW, 0.15),
    (Priority.NORMAL, 0.60),
    (Priority.HIGH, 0.20),
    (Priority.URGENT, 0.05),
)


def _pick(rng: random.Random, mix: tuple[tuple[Any, float], ...], k: int) -> list[Any]:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix], k=k)


def build_cases(
    rng: random.Random,
    sizes: SeedSizes,
    enterprise_of: list[tuple[str, int]],
    at: Callable[[float], datetime],
) -> list[Table]:
    """The needs, cases, case-need links and case events tables; `enterprise_of` gives each enterprise's
    (district, broker) by enterprise id - 1."""
    needs = Table(
        "enterprises_need",
        ("id", "enterprise", "category", "description", "urgency", "amount_sought", "filed_by", "created_at"),
    )
    cases = Table(
        "casework_case",
        (
            "id",
            "enterprise",
            "filed_by",
            "district",
            "priority",
            "state",
            "version",
            "created_at",
            "updated_at",
        ),
    )
    case_needs = Table("casework_case_need", ("id", "case", "need"))
    events = Table(
        "casework_case_event", ("id", "case", "actor", "kind", "from_state", "to_state", "note", "created_at")
    )
    n = sizes.cases
    states = _pick(rng, STATE_MIX, n)
    priorities = _pick(rng, PRIORITY_MIX, n)
    categories = rng.choices(list(NeedCategory), k=n)
    urgencies = rng.choices(list(Urgency), weights=(15, 60, 20, 5), k=n)
    span = 730 * DAY - 61 * DAY
    for i in range(n):
        case_id = i + 1
        enterprise_id = rng.randrange(sizes.enterprises) + 1
        district, broker = enterprise_of[enterprise_id - 1]
        created = at(61 * DAY + span * i / n + rng.uniform(0, 60))
        state = states[i]
        moved = state not in (CaseState.DRAFT, CaseState.SUBMITTED)
        updated = created + timedelta(days=rng.uniform(1, 30)) if moved else created
        category = categories[i]
        amount = Decimal(rng.randrange(10, 500) * 1_000) if category is NeedCategory.FINANCING else None
        needs.rows.append(
            (case_id, enterprise_id, category, f"需要{category.value}方面的帮助（{case_id}）",
             urgencies[i], amount, broker, created)
        )  # fmt: skip
        cases.rows.append(
            (
                case_id,
                enterprise_id,
                broker,
                district,
                priorities[i],
                state,
                2 if moved else 1,
                created,
                updated,
            )
        )
        case_needs.rows.append((case_id, case_id, case_id))
        filed_as = CaseState.DRAFT if state is CaseState.DRAFT else CaseState.SUBMITTED
        events.rows.append((case_id, case_id, broker, "filed", "", filed_as, "", created))
    return [needs, cases, case_needs, events]
