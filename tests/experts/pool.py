"""The pool for the pool's tests: experts added as rows, an expert's load made through casework's moves."""

from __future__ import annotations

from typing import Any

from casework.workflow import CaseState
from experts.tables import Expert
from tests.casework.life import Life


async def add_expert(**values: Any) -> int:
    rows = await Expert.insert(Expert(**{"name": "王律师", **values})).returning(Expert.id)
    return int(rows[0]["id"])


async def profile(expert_id: int) -> dict[str, Any]:
    """The expert's row as stored, its lists read back."""
    row = await Expert.select().where(Expert.id == expert_id).output(load_json=True).first()
    assert row is not None
    return row


async def give_cases(life: Life, username: str, count: int) -> None:
    """`count` cases the expert (Eve or Ed) leads now: assigned to him and accepted, through the workflow."""
    for _ in range(count):
        await life.bring_to(await life.case("alice"), CaseState.ASSIGNED, expert=username)


async def signed_in(new_client: Any, username: str, english: bool = False) -> Any:
    client = new_client()
    await client.login(username)
    if english:
        await client.http.get("/lang/en")
    return client
