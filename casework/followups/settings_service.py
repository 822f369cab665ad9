"""Reading and saving a district's follow-up settings (`casework_district_setting`).

A change applies to the follow-ups opened from then on: those already open keep their due times.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from accounts.policy import Action, Actor, may
from casework.followups.rules import DEFAULTS, Settings
from casework.followups.service import settings_for
from casework.followups.settings_rules import CHOICES, FIELDS, as_form, may_reach_settings, parse_settings, shortened
from casework.tables import DistrictSetting
from core.db import write_transaction
from core.districts import DISTRICTS, is_district
from core.errors import Invalid, NotAllowed, NotFound

CONFIRM_SHORTER = "Some times are shorter than before. Check them and confirm."


def _check_reach(actor: Actor, district: str) -> None:
    if not is_district(district) or not may_reach_settings(actor, district):
        raise NotFound()


async def _stored(district: str) -> dict[str, Any] | None:
    return await (
        DistrictSetting.select(
            DistrictSetting.updated_at, DistrictSetting.updated_by.display_name.as_alias("updated_by_name")
        )
        .where(DistrictSetting.district == district)
        .first()
    )


async def district_settings(actor: Actor, district: str) -> dict[str, Any]:
    """The district's settings as the page shows them, if the actor reaches the district; whether he may edit them."""
    _check_reach(actor, district)
    current = await settings_for(district)
    stored = await _stored(district)
    return {
        "district": district,
        "values": as_form(current),
        "defaults": as_form(DEFAULTS),
        "customised": stored is not None,
        "updated_at": stored["updated_at"] if stored else None,
        "updated_by_name": stored["updated_by_name"] if stored else None,
        "editable": may(actor, Action.EDIT_FOLLOW_UP_SETTINGS),
        "choices": CHOICES,  # the settings chosen from a list (what a lapsed offer does), with their labels
    }


async def customised_districts() -> set[str]:
    """The districts with settings of their own (the others use the defaults)."""
    return {row["district"] for row in await DistrictSetting.select(DistrictSetting.district)}


def reachable_districts(actor: Actor) -> list[str]:
    return [d.code for d in DISTRICTS if may_reach_settings(actor, d.code)]


class NeedsConfirmation(Exception):
    """The change shortens these times: the page asks to confirm before saving."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(CONFIRM_SHORTER)
        self.fields = fields


async def save_district_settings(
    actor: Actor, district: str, form: Mapping[str, str], confirmed: bool = False, now: datetime | None = None
) -> Settings:
    """Save the district's settings (insert or update) from the form; applies to follow-ups opened from now on.

    `Invalid` names each wrong field; `NeedsConfirmation` when a time is shortened and not yet confirmed.
    """
    _check_reach(actor, district)
    if not may(actor, Action.EDIT_FOLLOW_UP_SETTINGS):
        raise NotAllowed()
    new, errors = parse_settings(form)
    if new is None:
        raise Invalid(errors)
    async with write_transaction():
        shorter = shortened(await settings_for(district), new)
        if shorter and not confirmed:
            raise NeedsConfirmation(shorter)
        values = {name: getattr(new, name) for name in FIELDS}
        row = DistrictSetting(
            district=district, updated_by=actor.user_id, updated_at=now or datetime.now(UTC), **values
        )
        await DistrictSetting.insert(row).on_conflict(
            target=DistrictSetting.district,
            action="DO UPDATE",
            values=[
                *(getattr(DistrictSetting, name) for name in FIELDS),
                DistrictSetting.updated_by,
                DistrictSetting.updated_at,
            ],
        )
    return new
