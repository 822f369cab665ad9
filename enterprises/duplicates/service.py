"""Find registered enterprises that may be the one a broker is typing, without leaking their personal data.

A broker must learn that an enterprise is already registered even when another broker
registered it (two brokers must not get credit for one enterprise), so matches are sought
across the whole city for the credit code, the founder's ID number and phone, and within the
town for the name, whatever the user's scope. Of a record the user may not open only its
district comes back ("registered in 开州区 by another broker — ask your district officer"): no
name, town, broker, id or link. Each check is counted and audited (`quota`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from accounts.policy import Actor
from core import crypto
from core.config import bureau_today
from core.errors import Conflict
from core.text import normalise_text
from core.text_search import contains
from enterprises.access import may_reach_enterprise
from enterprises.duplicates.matching import Candidate, Probe, rank, town_key
from enterprises.duplicates.quota import within_quota
from enterprises.identifiers import CreditCodeStatus, check_credit_code, check_resident_id, normalise_phone
from enterprises.intake import EnterpriseDraft
from enterprises.phones import phone_digest, phone_digests
from enterprises.tables import Enterprise

# At most this many matches are shown: more would hide the strongest ones, not help.
MAX_SHOWN = 10
# Towns hold tens to a few hundred enterprises; the cap only bounds a pathological town name.
TOWN_SCAN_LIMIT = 5000
# What the form sends to say "this is not the same enterprise"; the API sends true.
_CONFIRMED = frozenset({"1", "true", "on", "yes"})

POSSIBLE_DUPLICATES = "This enterprise may already be registered. Check the records listed below."

_COLUMNS = (
    Enterprise.id,
    Enterprise.name,
    Enterprise.district,
    Enterprise.town,
    Enterprise.credit_code,
    Enterprise.registered_by,
    Enterprise.registered_by.display_name.as_alias("registered_by_name"),
    Enterprise.founder.phone_digest.as_alias("founder_phone_digest"),
    Enterprise.founder.id_number_digest.as_alias("founder_id_digest"),
)


class PossibleDuplicates(Conflict):
    """Registration held back: the enterprise looks registered already, and the user has not said otherwise."""

    message = POSSIBLE_DUPLICATES

    def __init__(self, duplicates: list[dict[str, Any]]) -> None:
        super().__init__()
        self.duplicates = duplicates


def _today() -> date:
    return bureau_today()  # the bureau's day, not the UTC one


def probe_from_fields(fields: Mapping[str, str], enterprise_id: int | None = None) -> Probe:
    """A probe from fields as typed so far; a half-typed or invalid identifier is left out, not matched."""

    def text(name: str, limit: int = 200) -> str:
        return normalise_text(str(fields.get(name) or ""))[:limit]

    code = check_credit_code(text("credit_code", 40)) if text("credit_code", 40) else None
    phone = normalise_phone(text("founder_phone", 40)) if text("founder_phone", 40) else None
    resident = check_resident_id(text("founder_id_number", 40), _today()) if text("founder_id_number", 40) else None
    return Probe(
        name=text("name"),
        district=text("district", 6),
        town=text("town", 100),
        # A code failing its check character may still be printed so on a licence: it is matched.
        credit_code=code.code if code and code.status is not CreditCodeStatus.MALFORMED else "",
        founder_phone=phone_digest(phone.number) if phone and not phone.error else "",
        founder_id_digest=crypto.digest(resident.number) if resident and not resident.error else "",
        enterprise_id=enterprise_id,
        older_phone_digests=_older(phone_digests(phone.number)) if phone and not phone.error else (),
        older_id_digests=_older(crypto.digests(resident.number)) if resident and not resident.error else (),
    )


def probe_from_draft(draft: EnterpriseDraft) -> Probe:
    """A probe from a checked registration form."""
    return Probe(
        name=draft.name,
        district=draft.district,
        town=draft.town,
        credit_code=draft.credit_code,
        founder_phone=phone_digest(draft.founder_phone),
        founder_id_digest=crypto.digest(draft.founder_id_number) if draft.founder_id_number else "",
        older_phone_digests=_older(phone_digests(draft.founder_phone)),
        older_id_digests=_older(crypto.digests(draft.founder_id_number)),
    )


def _older(digests: list[str]) -> tuple[str, ...]:
    """The digests under earlier keys (`crypto.digests` gives the current key's first)."""
    return tuple(digests[1:])


async def _rows(probe: Probe) -> dict[int, dict[str, Any]]:
    """Unmerged enterprises sharing an identifier with the probe anywhere, or lying in its town."""
    conditions: list[Any] = []
    if probe.credit_code:
        conditions.append(Enterprise.credit_code == probe.credit_code)
    if probe.founder_phone:
        conditions.append(Enterprise.founder.phone_digest.is_in([probe.founder_phone, *probe.older_phone_digests]))
    if probe.founder_id_digest:
        conditions.append(Enterprise.founder.id_number_digest.is_in([probe.founder_id_digest, *probe.older_id_digests]))
    found: dict[int, dict[str, Any]] = {}
    # One indexed query per identifier rather than one OR of them all, which would scan the table.
    for condition in conditions:
        for row in await Enterprise.select(*_COLUMNS).where(condition & Enterprise.merged_into.is_null()):
            found[row["id"]] = row
    if probe.name and probe.district and (key := town_key(probe.town)):
        # The town as typed varies (汉丰街道, 汉丰); `town_key` decides, the LIKE only narrows.
        in_town = (
            await Enterprise.select(*_COLUMNS)
            .where(
                (Enterprise.district == probe.district)
                & contains(Enterprise.town, key)
                & Enterprise.merged_into.is_null()
            )
            .order_by(Enterprise.id, ascending=False)
            .limit(TOWN_SCAN_LIMIT)
        )
        found |= {row["id"]: row for row in in_town}
    return found


def _candidate(row: Mapping[str, Any], probe: Probe) -> Candidate:
    phone, id_digest = row["founder_phone_digest"] or "", row["founder_id_digest"] or ""
    return Candidate(
        enterprise_id=row["id"],
        name=row["name"],
        district=row["district"],
        town=row["town"],
        credit_code=row["credit_code"] or "",
        # A row still hashed under an earlier key is the probe's number all the same.
        founder_phone=probe.founder_phone if phone and phone in probe.older_phone_digests else phone,
        founder_id_digest=probe.founder_id_digest if id_digest and id_digest in probe.older_id_digests else id_digest,
    )


def _shown(actor: Actor, row: Mapping[str, Any], reasons: Iterable[Any]) -> dict[str, Any]:
    """What the user learns of a match: no personal data, and a link only to a record he may open."""
    visible = may_reach_enterprise(actor, row)
    if not visible:
        # Out of reach: only that it exists and in which district ("ask your district officer"),
        # never its name, town, broker or id: the duplicate check must not be an oracle of who
        # owns a phone or ID number.
        return {
            "id": None,
            "name": "",
            "district": row["district"],
            "town": "",
            "registered_by_name": "",
            "mine": False,
            "visible": False,
            "url": None,
            "reasons": [reason.value for reason in reasons],
            "reason_labels": [reason.label for reason in reasons],
        }
    return {
        "id": row["id"],
        "name": row["name"],
        "district": row["district"],
        "town": row["town"],
        "registered_by_name": row["registered_by_name"] or "",
        "mine": row["registered_by"] == actor.user_id,
        "visible": visible,
        "url": f"/enterprises/{row['id']}" if visible else None,
        "reasons": [reason.value for reason in reasons],
        "reason_labels": [reason.label for reason in reasons],
    }


async def find_for_probe(actor: Actor, probe: Probe) -> list[dict[str, Any]]:
    rows = await _rows(probe)
    matches = rank(probe, (_candidate(row, probe) for row in rows.values()))
    shown = [_shown(actor, rows[candidate.enterprise_id], reasons) for candidate, reasons in matches[:MAX_SHOWN]]
    return _one_per_district_out_of_reach(shown)


def _one_per_district_out_of_reach(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Matches out of reach told once per district, their reasons together: not how many there are."""
    kept: list[dict[str, Any]] = []
    by_district: dict[str, dict[str, Any]] = {}
    for match in shown:
        if match["visible"]:
            kept.append(match)
        elif (first := by_district.get(match["district"])) is None:
            by_district[match["district"]] = match
            kept.append(match)
        else:
            for value, label in zip(match["reasons"], match["reason_labels"], strict=True):
                if value not in first["reasons"]:
                    first["reasons"].append(value)
                    first["reason_labels"].append(label)
    return kept


async def find_duplicates(actor: Actor, fields: Mapping[str, str]) -> list[dict[str, Any]]:
    """Registered enterprises that may be the one whose fields are being typed, strongest match first.

    `fields` uses the registration form's names: name, district, town, credit_code,
    founder_phone, founder_id_number. Each match is a dict of id, name, district, town,
    registered_by_name, mine, visible, url (None unless visible), reasons and reason_labels.
    """
    probe = probe_from_fields(fields)
    return await within_quota(actor, lambda: find_for_probe(actor, probe))


async def duplicates_blocking_registration(actor: Actor, draft: EnterpriseDraft) -> list[dict[str, Any]]:
    """The matches that hold back registering `draft` until the user confirms it is another enterprise."""
    probe = probe_from_draft(draft)  # as much an oracle as the check while typing: counted with it
    return await within_quota(actor, lambda: find_for_probe(actor, probe))


def confirmed_not_duplicate(form: Mapping[str, Any]) -> bool:
    return str(form.get("confirm_not_duplicate") or "").strip().lower() in _CONFIRMED


async def refuse_unconfirmed_duplicates(actor: Actor, draft: EnterpriseDraft, form: Mapping[str, Any]) -> None:
    """Raise `PossibleDuplicates` when `draft` looks registered and `form` lacks confirm_not_duplicate."""
    if confirmed_not_duplicate(form):
        return
    if found := await duplicates_blocking_registration(actor, draft):
        raise PossibleDuplicates(found)


async def duplicates_of(actor: Actor, enterprise_id: int) -> list[dict[str, Any]]:
    """Other unmerged records that may be the same enterprise as the registered one `enterprise_id`.

    The caller checks that the actor may see `enterprise_id` (enterprises.services.get_enterprise).
    """
    row = await Enterprise.select(*_COLUMNS).where(Enterprise.id == enterprise_id).first()
    if row is None:
        return []
    probe = Probe(
        name=row["name"],
        district=row["district"],
        town=row["town"],
        credit_code=row["credit_code"] or "",
        founder_phone=row["founder_phone_digest"] or "",
        founder_id_digest=row["founder_id_digest"] or "",
        enterprise_id=enterprise_id,
    )
    return await find_for_probe(actor, probe)
