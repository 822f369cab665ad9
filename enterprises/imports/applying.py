"""The import the uploader confirmed: the dry run's valid rows written in one transaction, all of them or none.

Run by the job `enterprises.imports.jobs.apply_import`, given the batch id only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from accounts.policy import Actor
from core import crypto
from core.db import engine, write_transaction
from enterprises import records
from enterprises.access import may_reach_enterprise
from enterprises.imports.kinds import RowKind
from enterprises.imports.matching import find_matches
from enterprises.imports.need_filing import SheetNeedsFiled, file_sheet_needs
from enterprises.imports.progress import ApplyProgress
from enterprises.imports.rows import draft_from_data
from enterprises.imports.rules import OnMatch, Outcome, Transition, allows
from enterprises.imports.service import CHUNK_ROWS, IMPORTABLE, is_transient, move_batch, uploader
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.intake import EnterpriseDraft

log = logging.getLogger(__name__)

APPLY_FAILED = "The import failed and nothing was imported. Try again later by uploading the file again."


async def apply_batch(batch_id: int, may_retry: bool = False, kind: RowKind | None = None) -> None:
    """The import the uploader confirmed, in one transaction: every row or none; idempotent.

    Two runs at once are serialised by the conditional update that opens the transaction (a row
    lock on PostgreSQL, the write lock on SQLite): the second finds the batch applied and stops.
    """
    state = await ImportBatch.select(ImportBatch.state).where(ImportBatch.id == batch_id).first()
    if state is None or not allows(Transition.APPLY, state["state"]):
        return
    ApplyProgress(batch_id)(0, final=True)
    try:
        async with write_transaction():
            if not await move_batch(batch_id, Transition.APPLY, {ImportBatch.processed_rows: 0}):
                return
            batch = (
                await ImportBatch.select(ImportBatch.uploaded_by, ImportBatch.on_match, ImportBatch.summary)
                .where(ImportBatch.id == batch_id)
                .output(load_json=True)
                .first()
            )
            assert batch is not None  # claimed above
            actor, on_match = await uploader(batch["uploaded_by"]), OnMatch(batch["on_match"])
            if kind is None:
                applied = await _apply_rows(batch_id, actor, on_match)
            else:
                applied = await kind.apply_rows(await _valid_rows(batch_id), actor, on_match, ApplyProgress(batch_id))
            # The needs the sheet wrote beside its enterprises, filed as cases in this transaction (need_filing.py).
            needs = await file_sheet_needs(batch_id, actor) if kind is None else SheetNeedsFiled()
            await _scrub_drafts(batch_id)
            summary = batch["summary"] if isinstance(batch["summary"], dict) else {}
            await move_batch(
                batch_id,
                Transition.FINISH_APPLY,
                {
                    ImportBatch.processed_rows: sum(applied.values()),
                    ImportBatch.summary: {**summary, "applied": applied},
                    ImportBatch.content: b"",
                    ImportBatch.finished_at: datetime.now(UTC),
                },
            )
        await needs.send()  # committed: the officers told of the filed needs, their triage clocks queued
    except Exception as exc:
        log.error("import batch %s: import failed and was rolled back (%s)", batch_id, type(exc).__name__)
        if not (may_retry and is_transient(exc)):
            await _fail_apply(batch_id)
        raise


async def _valid_rows(batch_id: int) -> list[dict[str, Any]]:
    """The rows the dry run found importable (created or matched, with warnings or none), in the file's order."""
    return await (
        ImportRow.select(ImportRow.id, ImportRow.outcome, ImportRow.enterprise, ImportRow.data)
        .where((ImportRow.batch == batch_id) & ImportRow.outcome.is_in(list(IMPORTABLE)))
        .order_by(ImportRow.row_number)
        .output(load_json=True)
    )


async def _apply_rows(batch_id: int, actor: Actor, on_match: OnMatch) -> dict[str, int]:
    rows = await _valid_rows(batch_id)
    drafts = [draft_from_data(row["data"]["draft"], crypto.decrypt) for row in rows]
    # Matched again: someone may have registered one of these enterprises since the dry run.
    matches: list[dict[str, Any] | None] = []
    for start in range(0, len(drafts), CHUNK_ROWS):
        matches += await find_matches(drafts[start : start + CHUNK_ROWS])
    progress = ApplyProgress(batch_id)
    applied = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    links: list[tuple[int, int]] = []
    results: dict[str, list[int]] = {"created": [], "updated": [], "unchanged": [], "left": []}
    to_create: list[tuple[int, EnterpriseDraft]] = []
    to_update: list[tuple[int, int, EnterpriseDraft]] = []
    for row, draft, match in zip(rows, drafts, matches, strict=True):
        # Created: what the dry run did not match (a warning row keeps the match it had, if it had one).
        if match is None and row["outcome"] != Outcome.MATCH and row["enterprise"] is None:
            to_create.append((row["id"], draft))
        elif match is not None and on_match is OnMatch.UPDATE and may_reach_enterprise(actor, match):
            to_update.append((row["id"], match["id"], draft))
        else:
            # A match to leave alone; or a matched enterprise merged away since the dry run, which
            # nothing safe can be done with.
            applied["skipped"] += 1
            results["left"].append(row["id"])
    for start in range(0, len(to_update), CHUNK_ROWS):
        chunk = to_update[start : start + CHUNK_ROWS]
        # A handful of statements per chunk; a row that changes nothing (a list imported again) writes nothing.
        changes = await records.apply_drafts(
            [(enterprise_id, draft) for _, enterprise_id, draft in chunk], actor.user_id, kind="imported"
        )
        for (row_id, enterprise_id, _), changed in zip(chunk, changes, strict=True):
            applied["updated" if changed else "unchanged"] += 1
            results["updated" if changed else "unchanged"].append(row_id)
            links.append((row_id, enterprise_id))
        progress(sum(applied.values()))
    for start in range(0, len(to_create), CHUNK_ROWS):
        chunk_to_create = to_create[start : start + CHUNK_ROWS]
        created = await records.create_enterprises([draft for _, draft in chunk_to_create], actor.user_id, "imported")
        links += zip((row_id for row_id, _ in chunk_to_create), created, strict=True)
        applied["created"] += len(created)
        results["created"] += [row_id for row_id, _ in chunk_to_create]
        progress(sum(applied.values()))
    await _link_rows(links)
    await _mark_rows(results)
    return applied


async def _link_rows(links: Sequence[tuple[int, int]]) -> None:
    """Point each imported row at its enterprise: one UPDATE per 500 rows, not one per row."""
    for start in range(0, len(links), CHUNK_ROWS):
        chunk = links[start : start + CHUNK_ROWS]
        cases = " ".join("WHEN {} THEN CAST({} AS INTEGER)" for _ in chunk)
        placeholders = ", ".join("{}" for _ in chunk)
        args = [value for pair in chunk for value in pair] + [row_id for row_id, _ in chunk]
        await ImportRow.raw(
            f"UPDATE {ImportRow._meta.tablename} SET enterprise = CASE id {cases} END WHERE id IN ({placeholders})",
            *args,
        )


async def _mark_rows(results: dict[str, list[int]]) -> None:
    """Write on each row what the import did with it (`data.applied`), which its report shows once done."""
    table = ImportRow._meta.tablename
    if isinstance(engine(), PostgresEngine):
        set_mark = "(data::jsonb || jsonb_build_object('applied', CAST({} AS TEXT)))::json"
    else:
        set_mark = "json_set(data, '$.applied', {})"
    for result, row_ids in results.items():
        for start in range(0, len(row_ids), CHUNK_ROWS):
            chunk = row_ids[start : start + CHUNK_ROWS]
            placeholders = ", ".join("{}" for _ in chunk)
            await ImportRow.raw(f"UPDATE {table} SET data = {set_mark} WHERE id IN ({placeholders})", result, *chunk)


async def _scrub_drafts(batch_id: int) -> None:
    """Drop the stored drafts (personal data) of a batch's rows; the row report keeps name, town and verdict."""
    await scrub_row_data(batch_id, "draft")


async def scrub_row_data(batch_id: int, key: str) -> None:
    """Drop one key of the stored data of a batch's rows (a draft, the original cells: personal data)."""
    table = ImportRow._meta.tablename
    if isinstance(engine(), PostgresEngine):
        sql = f"UPDATE {table} SET data = (data::jsonb - '{key}')::json WHERE batch = {{}}"
    else:
        sql = f"UPDATE {table} SET data = json_remove(data, '$.{key}') WHERE batch = {{}}"
    await ImportRow.raw(sql, batch_id)


async def _fail_apply(batch_id: int) -> None:
    async with write_transaction():
        failed = await move_batch(
            batch_id,
            Transition.FAIL_APPLY,
            {ImportBatch.error: APPLY_FAILED, ImportBatch.content: b"", ImportBatch.finished_at: datetime.now(UTC)},
        )
        if failed:
            await _scrub_drafts(batch_id)
