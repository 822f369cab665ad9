"""Personal data encryption and keyed digests, across a change of SECRET_KEY."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest

from core import crypto
from core.config import settings

pytestmark = pytest.mark.pure

KEY_A = "a" * 40
KEY_B = "b" * 40
ID_NUMBER = "500154198503121234"

UseKeys = Callable[..., None]


@pytest.fixture
def use_keys() -> Iterator[UseKeys]:
    """Switch crypto to a SECRET_KEY and earlier keys; the test's own keys come back afterwards."""
    original = settings

    def use(current: str, *old: str) -> None:
        setattr(crypto, "settings", dataclasses.replace(original, secret_key=current, old_secret_keys=old))  # noqa: B010
        crypto.reload_keys()

    yield use
    setattr(crypto, "settings", original)  # noqa: B010
    crypto.reload_keys()


def test_it_encrypts_and_decrypts(use_keys: UseKeys) -> None:
    use_keys(KEY_A)
    token = crypto.encrypt(ID_NUMBER)
    assert ID_NUMBER not in token and crypto.decrypt(token) == ID_NUMBER
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_it_keeps_old_data_readable_under_a_new_key_with_the_old_one_kept(use_keys: UseKeys) -> None:
    use_keys(KEY_A)
    token = crypto.encrypt(ID_NUMBER)
    use_keys(KEY_B, KEY_A)
    assert crypto.decrypt(token) == ID_NUMBER
    assert not crypto.is_current(token)
    assert crypto.is_current(crypto.encrypt(ID_NUMBER))  # new values go under the new key


def test_it_cannot_read_old_data_once_the_old_key_is_gone(use_keys: UseKeys) -> None:
    use_keys(KEY_A)
    token = crypto.encrypt(ID_NUMBER)
    use_keys(KEY_B)
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)


def test_it_reencrypts_under_the_current_key_and_leaves_current_tokens_alone(use_keys: UseKeys) -> None:
    use_keys(KEY_A)
    old = crypto.encrypt(ID_NUMBER)
    use_keys(KEY_B, KEY_A)
    fresh = crypto.reencrypt(old)
    assert fresh != old and crypto.reencrypt(fresh) == fresh
    use_keys(KEY_B)
    assert crypto.decrypt(fresh) == ID_NUMBER


def test_it_offers_every_keys_digest_for_lookups_during_a_rotation(use_keys: UseKeys) -> None:
    use_keys(KEY_A)
    under_a = crypto.digest(ID_NUMBER)
    use_keys(KEY_B, KEY_A)
    under_b = crypto.digest(ID_NUMBER)
    assert under_b != under_a
    assert crypto.digests(ID_NUMBER) == [under_b, under_a]
    assert crypto.digests("") == [] and crypto.digest("") == ""


def test_it_lists_a_key_repeated_in_the_old_keys_once(use_keys: UseKeys) -> None:
    use_keys(KEY_A, KEY_A)
    assert len(crypto.digests(ID_NUMBER)) == 1
