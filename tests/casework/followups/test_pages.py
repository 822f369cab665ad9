"""Follow-ups through the pages and the API: each sees those of the cases he reaches; a district's settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.policy import Role
from casework.followups.rules import DEFAULTS, FollowUpKind, FollowUpState
from casework.followups.service import settings_for
from casework.tables import DistrictSetting, FollowUp
from casework.workflow import CaseState, Transition
from tests.casework.life import Life
from tests.conftest import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.anyio
K = FollowUpKind


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def signed_in(new_client: Any, username: str, english: bool = False) -> Any:
    client = new_client()
    await client.login(username)
    if english:
        await client.http.get("/lang/en")
    return client


async def follow_up_ids(case_id: int) -> list[int]:
    return [r["id"] for r in await FollowUp.select(FollowUp.id).where(FollowUp.case == case_id)]


def cases_listed(page: Any) -> set[int]:
    return {int(n) for n in re.findall(r'href="/cases/(\d+)"', page.text)}


async def add_follow_ups(case_id: int, district: str, count: int, **values: Any) -> None:
    now = datetime.now(UTC)
    rows = [
        FollowUp(
            case=case_id,
            district=district,
            kind=values.get("kind", K.VISIT),
            key=f"test:{case_id}:{values.get('key', 'v')}:{n}",
            due_at=values.get("due_at", now + timedelta(hours=n + 1)),
            state=values.get("state", FollowUpState.PENDING),
            step=values.get("step", 0),
        )
        for n in range(count)
    ]
    await FollowUp.insert(*rows)


async def test_it_shows_an_officer_his_districts_follow_ups_and_not_anothers(
    life: Life, new_client: Any, client: Any
) -> None:
    case_a, case_b = await life.case("alice"), await life.case("bob")  # each opens its triage clock
    [of_b] = await follow_up_ids(case_b)

    olga = await signed_in(new_client, "olga")
    listed = await olga.http.get("/follow-ups?due=all")
    assert listed.status_code == 200
    assert cases_listed(listed) == {case_a}

    token = await client.api_token("olga")
    found = await client.http.get("/api/v1/follow-ups", params={"due": "all"}, headers=token)
    assert found.status_code == 200, found.text
    assert {item["case_id"] for item in found.json()["items"]} == {case_a}
    assert found.json()["items"][0]["kind"] == K.TRIAGE_DUE
    assert (await client.http.get(f"/api/v1/follow-ups/{of_b}", headers=token)).status_code == 404

    carl = await client.api_token("carl")
    everything = await client.http.get("/api/v1/follow-ups", params={"due": "all"}, headers=carl)
    assert {item["case_id"] for item in everything.json()["items"]} == {case_a, case_b}
    shown = await client.http.get(f"/api/v1/follow-ups/{of_b}", headers=carl)
    assert shown.status_code == 200 and shown.json()["district"] == DISTRICT_B


async def test_it_shows_a_broker_only_the_follow_ups_of_his_cases(life: Life, new_client: Any, client: Any) -> None:
    life.personas.add("anna", Role.BROKER, DISTRICT_A)
    mine, hers = await life.case("alice"), await life.case("anna")
    [of_hers] = await follow_up_ids(hers)

    alice = await signed_in(new_client, "alice", english=True)
    listed = await alice.http.get("/follow-ups?due=all")
    assert cases_listed(listed) == {mine}
    assert "Triage due" in listed.text
    token = await client.api_token("alice")
    assert (await client.http.get(f"/api/v1/follow-ups/{of_hers}", headers=token)).status_code == 404

    # The case's page lists its open follow-ups with their due times.
    case_page = await alice.http.get(f"/cases/{mine}")
    assert 'id="follow-ups-heading"' in case_page.text and "Due in" in case_page.text

    olga = await signed_in(new_client, "olga")
    assert cases_listed(await olga.http.get("/follow-ups?due=all")) == {mine, hers}


async def test_it_shows_an_expert_the_follow_ups_of_the_case_offered_to_him(life: Life, client: Any) -> None:
    case_id = await life.case("alice")
    await life.bring_to(case_id, CaseState.TRIAGED)
    await life.expert("eve")
    await life.move("olga", case_id, Transition.ASSIGN, expert=life.experts["eve"])
    await life.case("bob")

    token = await client.api_token("eve")
    found = await client.http.get("/api/v1/follow-ups", params={"due": "all"}, headers=token)
    assert found.status_code == 200, found.text
    assert {(i["case_id"], i["kind"]) for i in found.json()["items"]} >= {(case_id, K.OFFER_DEADLINE)}
    assert {i["case_id"] for i in found.json()["items"]} == {case_id}


async def test_it_filters_by_due_time_and_kind(life: Life, new_client: Any) -> None:
    case_id = await life.case("alice")
    await FollowUp.delete().where(FollowUp.case == case_id)
    now = datetime.now(UTC)
    await add_follow_ups(case_id, DISTRICT_A, 1, key="late", due_at=now - timedelta(days=2), step=2)
    await add_follow_ups(case_id, DISTRICT_A, 1, key="far", due_at=now + timedelta(days=60))
    await add_follow_ups(case_id, DISTRICT_A, 1, key="done", state=FollowUpState.DONE)
    await add_follow_ups(case_id, DISTRICT_A, 1, key="soon", kind=K.MEASURE_REMINDER)

    olga = await signed_in(new_client, "olga", english=True)

    async def rows(query: str) -> list[str]:
        page = await olga.http.get(f"/follow-ups?{query}")
        assert page.status_code == 200, page.text
        return re.findall(r"<tr>\s*<td>([^<]+)<", page.text)

    upcoming = await olga.http.get("/follow-ups")
    assert "Overdue by 2 days" in upcoming.text and "The assignee was told" in upcoming.text
    assert await rows("") == ["Periodic visit", "Measure reminder"]  # most overdue first; the far one waits
    assert await rows("due=overdue") == ["Periodic visit"]
    assert await rows("due=due_soon") == ["Measure reminder"]
    assert await rows("due=done") == ["Periodic visit"]
    assert len(await rows("due=all")) == 4
    assert await rows("due=all&kind=measure_reminder") == ["Measure reminder"]
    assert (await olga.http.get("/follow-ups?due=someday")).status_code == 422


async def test_it_pages_the_list_and_the_api(life: Life, new_client: Any, client: Any) -> None:
    case_id = await life.case("alice")
    await add_follow_ups(case_id, DISTRICT_A, 25)  # and the case's triage clock: 26

    olga = await signed_in(new_client, "olga")
    first = await olga.http.get("/follow-ups")
    assert first.text.count('<td><span class="state">') == 20
    assert 'rel="next" href="/follow-ups?due=upcoming&amp;kind=&amp;page=2"' in first.text
    second = await olga.http.get("/follow-ups?due=upcoming&kind=&page=2")
    assert second.text.count('<td><span class="state">') == 6

    token = await client.api_token("olga")
    third = await client.http.get("/api/v1/follow-ups", params={"per_page": 10, "page": 3}, headers=token)
    assert third.status_code == 200, third.text
    assert (len(third.json()["items"]), third.json()["total"], third.json()["page"]) == (6, 26, 3)


def settings_form(**changes: int | str) -> dict[str, str]:
    values = {
        "offer_working_days": "3",
        "offer_minutes": "",
        "triage_working_days": "2",
        "plan_review_working_days": "3",
        "escalate_after_working_days": "1",
        "measure_remind_working_days": "1",
        "visit_every_days": "30",
        "task_working_days": "5",
        "on_offer_lapse": "queue",
    }
    return {**values, **{name: str(value) for name, value in changes.items()}}


async def test_it_lets_a_city_officer_change_a_districts_settings(new_client: Any, personas: Any) -> None:
    carl = await signed_in(new_client, "carl", english=True)
    path = f"/settings/follow-ups/{DISTRICT_A}"
    assert "This district uses the defaults." in (await carl.http.get(path)).text

    saved = await carl.post_form(path, settings_form(visit_every_days=45, triage_working_days=4))
    assert saved.status_code == 302 and saved.headers["location"] == f"{path}?saved=1"
    settings = await settings_for(DISTRICT_A)
    assert (settings.visit_every_days, settings.triage_working_days) == (45, 4)
    assert await settings_for(DISTRICT_B) == DEFAULTS
    row = await DistrictSetting.select(DistrictSetting.updated_by).where(DistrictSetting.district == DISTRICT_A).first()
    assert row == {"updated_by": personas.ids["carl"]}

    # A shorter deadline asks for a confirmation first, the form kept as typed.
    shorter = settings_form(visit_every_days=45, triage_working_days=4, offer_minutes=10)
    asked = await carl.post_form(path, shorter)
    assert asked.status_code == 200
    assert "Some times are shorter than before" in asked.text and 'name="confirmed" value="1"' in asked.text
    assert 'value="10"' in asked.text
    assert (await settings_for(DISTRICT_A)).offer_minutes is None
    confirmed = await carl.post_form(path, {**shorter, "confirmed": "1"})
    assert confirmed.status_code == 302
    assert (await settings_for(DISTRICT_A)).offer_minutes == 10
    assert await DistrictSetting.count() == 1  # updated in place


async def test_it_lets_a_district_choose_that_a_lapsed_offer_moves_on_to_the_next_expert(
    new_client: Any, personas: Any
) -> None:
    carl = await signed_in(new_client, "carl", english=True)
    path = f"/settings/follow-ups/{DISTRICT_A}"
    shown = (await carl.http.get(path)).text
    assert "Offer it to the next recommended expert" in shown and 'name="on_offer_lapse"' in shown

    refused = await carl.post_form(path, settings_form(on_offer_lapse="somewhere", visit_every_days=45))
    assert refused.status_code == 400
    assert "Choose what happens to a case when its offer lapses." in refused.text and 'value="45"' in refused.text
    assert await DistrictSetting.count() == 0

    saved = await carl.post_form(path, settings_form(on_offer_lapse="next"))
    assert saved.status_code == 302
    assert (await settings_for(DISTRICT_A)).on_offer_lapse == "next"
    assert (await settings_for(DISTRICT_B)).on_offer_lapse == "queue"


async def test_it_keeps_the_form_with_a_message_for_bad_values(new_client: Any, personas: Any) -> None:
    carl = await signed_in(new_client, "carl", english=True)
    path = f"/settings/follow-ups/{DISTRICT_A}"
    refused = await carl.post_form(
        path, settings_form(offer_working_days=0, visit_every_days="abc", task_working_days=12)
    )
    assert refused.status_code == 400
    assert "Enter a whole number of working days from 1 to 20." in refused.text
    assert "Enter a whole number of days from 7 to 180." in refused.text
    assert 'value="abc"' in refused.text and 'value="12"' in refused.text  # the rest of the form kept
    assert await DistrictSetting.count() == 0


async def test_it_lets_a_district_officer_only_read_his_own_districts_settings(new_client: Any, personas: Any) -> None:
    olga = await signed_in(new_client, "olga", english=True)
    assert (await olga.http.get("/settings/follow-ups")).headers["location"] == f"/settings/follow-ups/{DISTRICT_A}"
    own = await olga.http.get(f"/settings/follow-ups/{DISTRICT_A}")
    assert own.status_code == 200
    assert 'method="post"' not in own.text.split("<main", 1)[1] and "The city office sets these" in own.text

    assert (await olga.http.get(f"/settings/follow-ups/{DISTRICT_B}")).status_code == 404
    token = await olga.csrf(f"/settings/follow-ups/{DISTRICT_A}")
    other = await olga.http.post(f"/settings/follow-ups/{DISTRICT_B}", data={"_csrf_token": token, **settings_form()})
    assert other.status_code == 404
    mine = await olga.http.post(f"/settings/follow-ups/{DISTRICT_A}", data={"_csrf_token": token, **settings_form()})
    assert mine.status_code == 403
    assert await DistrictSetting.count() == 0

    alice = await signed_in(new_client, "alice")
    assert (await alice.http.get(f"/settings/follow-ups/{DISTRICT_A}")).status_code == 403
