"""Experts as a kind of row of the enterprises' import machinery (`enterprises.imports.kinds.RowKind`).

The dry run matches each row to the pool by name and organisation (a match is updated or left
alone, as the uploader chooses) and checks a linked account; the import writes the experts in the
machinery's one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from accounts.policy import Actor, Role
from accounts.tables import User
from enterprises.imports.kinds import CheckedRow, CheckedSheet
from enterprises.imports.reading import ImportFileError, Sheet
from enterprises.imports.rules import OnMatch, Outcome
from experts.imports.rows import (
    DUPLICATE_EXPERT,
    FILE_NO_NAME_COLUMN,
    is_example,
    is_header,
    map_headers,
    match_key,
    parse_row,
)
from experts.services import USER_NOT_FOUND, USER_TAKEN, active_loads, today
from experts.tables import Expert

CHECK_JOB = "experts.imports.jobs.check_expert_import"
APPLY_JOB = "experts.imports.jobs.apply_expert_import"


def _stored(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as JSON keeps them between the dry run and the import."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def _columns(values: Mapping[str, Any], user: int | None) -> dict[Any, Any]:
    away = values.get("away_until")
    return {**values, "away_until": date.fromisoformat(away) if away else None, "user": user}


async def _pool() -> dict[tuple[str, str], dict[str, Any]]:
    rows = await Expert.select(Expert.id, Expert.name, Expert.organisation, Expert.user).order_by(Expert.id)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        found.setdefault((row["name"], row["organisation"]), row)
    return found


async def _expert_accounts(usernames: Sequence[str]) -> dict[str, int]:
    if not usernames:
        return {}
    rows = await User.select(User.id, User.username).where(
        User.username.is_in(sorted(set(usernames))) & (User.role == Role.EXPERT)
    )
    return {row["username"]: row["id"] for row in rows}


async def _linked(user_ids: Sequence[int]) -> dict[int, int]:
    """Account -> the expert it is linked to."""
    if not user_ids:
        return {}
    rows = await Expert.select(Expert.id, Expert.user).where(Expert.user.is_in(sorted(set(user_ids))))
    return {row["user"]: row["id"] for row in rows}


class ExpertRows:
    """The expert pool's rows."""

    name = "experts"
    check_job = CHECK_JOB
    apply_job = APPLY_JOB

    def is_header(self, text: str) -> bool:
        return is_header(text)

    async def check_rows(self, sheet: Sheet, actor: Actor) -> CheckedSheet:
        columns = map_headers(sheet.headers)
        if columns is None:
            raise ImportFileError(FILE_NO_NAME_COLUMN)
        rows = [(number, cells) for number, cells in sheet.rows if not is_example(cells, columns)]
        pool = await _pool()
        loads = await active_loads([row["id"] for row in pool.values()])
        on = today()
        username_of = columns.columns.get("username")
        usernames = [
            cells[username_of].strip() for _, cells in rows if username_of is not None and username_of < len(cells)
        ]
        accounts = await _expert_accounts([u for u in usernames if u])
        linked = await _linked(list(accounts.values()))
        seen: dict[tuple[str, str], int] = {}
        checked: list[CheckedRow] = []
        for number, cells in rows:
            name_cell = cells[columns.columns["name"]] if columns.columns["name"] < len(cells) else ""
            organisation_at = columns.columns.get("organisation")
            organisation = (
                cells[organisation_at].strip() if organisation_at is not None and organisation_at < len(cells) else ""
            )
            match = pool.get((name_cell.strip(), organisation))
            parsed = parse_row(cells, columns, on, loads.get(match["id"], 0) if match else 0)
            data: dict[str, Any] = {"name": name_cell.strip()[:200], "town": organisation[:100]}
            if parsed.values is None:
                checked.append(CheckedRow(number, Outcome.ERROR, {**data, "params": parsed.params}, parsed.errors))
                continue
            key = match_key(parsed.values)
            errors: dict[str, str] = {}
            params: dict[str, Any] = {}
            user = accounts.get(parsed.username) if parsed.username else None
            if key in seen:
                errors, params = {"name": DUPLICATE_EXPERT}, {"row": seen[key]}
            elif parsed.username and user is None:
                errors = {"username": USER_NOT_FOUND}
            elif user is not None and linked.get(user) not in (None, match["id"] if match else None):
                errors = {"username": USER_TAKEN}
            if errors:
                checked.append(CheckedRow(number, Outcome.ERROR, {**data, "params": params}, errors))
                continue
            seen[key] = number
            draft = {"values": _stored(parsed.values), "user": user, "expert": match["id"] if match else None}
            checked.append(CheckedRow(number, Outcome.MATCH if match else Outcome.CREATE, {**data, "draft": draft}))
        return CheckedSheet(rows=checked, columns=columns.described())

    async def apply_rows(
        self, rows: Sequence[Mapping[str, Any]], actor: Actor, on_match: OnMatch, progress: Callable[[int], None]
    ) -> dict[str, int]:
        applied = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        pool = await _pool()
        for row in rows:
            draft = row["data"]["draft"]
            values = draft["values"]
            # Matched again: someone may have added this expert since the dry run.
            match = pool.get(match_key(values))
            if match is None:
                await Expert.insert(Expert(**_columns(values, draft["user"])))
                applied["created"] += 1
            elif on_match is OnMatch.UPDATE:
                await Expert.update({**_columns(values, draft["user"]), Expert.updated_at: datetime.now(UTC)}).where(
                    Expert.id == match["id"]
                )
                applied["updated"] += 1
            else:
                applied["skipped"] += 1
            progress(sum(applied.values()))
        return applied


EXPERT_ROWS = ExpertRows()
