"""`fuchi rotate-key`: data written under key A, SECRET_KEY changed to B with A kept as an old key,
then re-encrypted by the job through a real rq worker, so that B alone reads everything."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from accounts.policy import Actor, Role
from casework.tables import Case, TextMessage
from core import crypto
from core.audit import AuditKind, verify_chain
from core.config import settings
from core.tables import AuditEvent, OutboxJob
from enterprises.identifiers import complete_resident_id
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.services import register_enterprise, reveal_personal_data
from enterprises.tables import Founder
from operations import key_rotation
from tests.conftest import DISTRICT_A, Personas, run_worker_until_idle

pytestmark = pytest.mark.anyio

KEY_A = "key-a-" + "a" * 40
KEY_B = "key-b-" + "b" * 40
ID_NUMBER = complete_resident_id("50015419850312123")
OTHER_ID = complete_resident_id("50011819900101456")
PHONE = "13983451234"

UseKeys = Callable[..., None]


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[UseKeys]:
    """Switch the keys here and in the environment a worker inherits; the suite's key comes back after."""
    original = settings

    def use(current: str, *old: str) -> None:
        setattr(crypto, "settings", dataclasses.replace(original, secret_key=current, old_secret_keys=old))  # noqa: B010
        crypto.reload_keys()
        monkeypatch.setenv("SECRET_KEY", current)
        monkeypatch.setenv("FUCHI_OLD_SECRET_KEYS", ",".join(old))

    yield use
    setattr(crypto, "settings", original)  # noqa: B010
    crypto.reload_keys()


def _alice(personas: Personas) -> Actor:
    return Actor(personas.ids["alice"], Role.BROKER, DISTRICT_A)


async def _written_under_a(personas: Personas) -> dict[str, int]:
    """An enterprise with its founder, a text message to him, and an import draft: all sealed with the current key."""
    enterprise_id = await register_enterprise(
        _alice(personas),
        {
            "name": "开州区春华柑橘家庭农场",
            "legal_form": "family_farm",
            "district": DISTRICT_A,
            "town": "汉丰街道",
            "founder_name": "周春华",
            "founder_phone": PHONE,
            "founder_id_number": ID_NUMBER,
            "employees": "12",
        },
    )
    case = await Case.insert(Case(enterprise=enterprise_id, district=DISTRICT_A)).returning(Case.id)
    await TextMessage.insert(
        TextMessage(case=case[0]["id"], phone_cipher=crypto.encrypt(PHONE), body_cipher=crypto.encrypt("code 123456"))
    )
    batch = await ImportBatch.insert(
        ImportBatch(uploaded_by=personas.ids["alice"], district=DISTRICT_A, filename="名单.xlsx", content=b"")
    ).returning(ImportBatch.id)
    draft = {"name": "某合作社", "founder_id_number_cipher": crypto.encrypt(OTHER_ID), "empty_cipher": ""}
    await ImportRow.insert(ImportRow(batch=batch[0]["id"], row_number=2, outcome="create", data={"draft": draft}))
    return {"enterprise": enterprise_id}


async def _sealed_values() -> list[str]:
    """Every cipher stored, whatever its table."""
    founders = await Founder.select().output(load_json=True)
    texts = await TextMessage.select(TextMessage.phone_cipher, TextMessage.body_cipher)
    drafts = await ImportRow.select(ImportRow.data).output(load_json=True)
    return [
        *(row[name] for row in founders for name in row if name.endswith("_cipher") and row[name]),
        *(value for row in texts for value in row.values()),
        *(row["data"]["draft"]["founder_id_number_cipher"] for row in drafts),
    ]


async def test_it_reads_old_data_after_the_key_changed_then_rotates_it_in_a_worker(
    personas: Personas, use_keys: UseKeys
) -> None:
    use_keys(KEY_A)
    ids = await _written_under_a(personas)
    before = await _sealed_values()

    use_keys(KEY_B, KEY_A)
    revealed = await reveal_personal_data(_alice(personas), ids["enterprise"], "key rotation check")
    assert revealed.id_number == ID_NUMBER  # old data readable before any rotation

    job, done = await key_rotation.request_rotation(personas.ids["adam"])
    assert not done
    run_worker_until_idle()
    outbox = await OutboxJob.select(OutboxJob.done_at).where(OutboxJob.job_id == job).first()
    assert outbox is not None and outbox["done_at"] is not None

    use_keys(KEY_B)  # the old key gone: everything must read under B alone
    after = await _sealed_values()
    assert len(after) == len(before) and not set(after) & set(before)
    plain = [crypto.decrypt(token) for token in after]
    assert ID_NUMBER in plain and PHONE in plain and OTHER_ID in plain and "code 123456" in plain
    founder = await Founder.select().output(load_json=True).first()
    assert founder is not None and founder["id_number_digest"] == crypto.digest(ID_NUMBER)
    if "phone_digest" in founder:  # founders' phones sealed too (added beside this work)
        assert founder["phone_digest"] == crypto.digest(crypto.decrypt(founder["phone_cipher"]))
    revealed = await reveal_personal_data(_alice(personas), ids["enterprise"], "key rotation check")
    assert revealed.id_number == ID_NUMBER

    events = await AuditEvent.select().where(AuditEvent.kind == AuditKind.KEY_ROTATED.value).output(load_json=True)
    assert len(events) == 1 and events[0]["actor_id"] == personas.ids["adam"]
    assert events[0]["detail"]["enterprises_founder"]["changed"] == 1
    assert ID_NUMBER not in str(events[0]) and PHONE not in str(events[0])
    assert (await verify_chain()).intact


async def test_it_changes_nothing_when_run_again(personas: Personas, use_keys: UseKeys) -> None:
    use_keys(KEY_A)
    await _written_under_a(personas)
    use_keys(KEY_B, KEY_A)
    first = await key_rotation.rotate()
    assert first.changed == 3  # the founder, the text message, the import draft
    after_first = await _sealed_values()

    again = await key_rotation.rotate()
    assert again.changed == 0 and again.tables["enterprises_founder"].rows == 1
    assert await _sealed_values() == after_first
    await key_rotation.request_rotation()
    run_worker_until_idle()
    assert await _sealed_values() == after_first


async def test_it_rewrites_in_batches_and_resumes_after_an_interruption(
    personas: Personas, use_keys: UseKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_keys(KEY_A)
    for n, name in enumerate(("春华柑橘家庭农场", "明月茶叶公司", "竹韵编织社", "江口腊肉作坊", "温泉民宿")):
        await register_enterprise(
            _alice(personas),
            {
                "name": name,
                "legal_form": "family_farm",
                "district": DISTRICT_A,
                "town": "汉丰街道",
                "founder_name": f"周{name[0]}",
                "founder_phone": f"1398345123{n}",
                "founder_id_number": complete_resident_id(f"5001541985031200{n}"),
                "employees": "3",
            },
        )
    use_keys(KEY_B, KEY_A)
    calls = 0
    real = key_rotation.fresh_values

    def crash_on_the_fourth(row: Any, ciphers: Any) -> dict[str, str]:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("worker killed")
        return real(row, ciphers)

    monkeypatch.setattr(key_rotation, "fresh_values", crash_on_the_fourth)
    with pytest.raises(RuntimeError):
        await key_rotation.rotate(batch_size=2)
    monkeypatch.setattr(key_rotation, "fresh_values", real)
    rest = await key_rotation.rotate(batch_size=2)
    assert rest.tables["enterprises_founder"].changed == 3  # the first batch of two was kept
    use_keys(KEY_B)
    founders = await Founder.select(Founder.id_number_cipher, Founder.id_number_digest)
    assert all(row["id_number_digest"] == crypto.digest(crypto.decrypt(row["id_number_cipher"])) for row in founders)


def test_it_leaves_a_value_the_app_changed_meanwhile(use_keys: UseKeys) -> None:
    use_keys(KEY_A)
    old = {"id_number_cipher": crypto.encrypt(ID_NUMBER), "id_number_digest": crypto.digest(ID_NUMBER)}
    use_keys(KEY_B, KEY_A)
    changes = key_rotation.fresh_values(old, {"id_number_cipher": "id_number_digest"})
    assert crypto.is_current(changes["id_number_cipher"]) and changes["id_number_digest"] == crypto.digest(ID_NUMBER)
    assert (
        key_rotation.fresh_values(
            {"id_number_cipher": changes["id_number_cipher"], "id_number_digest": changes["id_number_digest"]},
            {"id_number_cipher": "id_number_digest"},
        )
        == {}
    )
    assert os.environ["SECRET_KEY"] == KEY_B
