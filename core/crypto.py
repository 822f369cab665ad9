"""Personal data at rest: encrypted so a dump does not show it, with a keyed hash to find duplicates.

Both keys derive from SECRET_KEY. Earlier keys (FUCHI_OLD_SECRET_KEYS) keep what was stored under
them readable — values decrypt under any key, and lookups try every key's digest — until
`fuchi rotate-key` has re-encrypted and re-hashed everything under SECRET_KEY. Dropping an old key
before that makes what it protected unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.config import settings

__all__ = ["InvalidToken", "decrypt", "digest", "digests", "encrypt", "is_current", "reencrypt", "reload_keys"]


def _secrets() -> tuple[str, ...]:
    """The current key first, then the earlier ones (each once)."""
    return tuple(dict.fromkeys((settings.secret_key, *settings.old_secret_keys)))


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


@cache
def _fernets() -> tuple[Fernet, ...]:
    return tuple(
        Fernet(base64.urlsafe_b64encode(_derive(secret, b"fuchi personal data encryption"))) for secret in _secrets()
    )


@cache
def _fernet() -> MultiFernet:
    return MultiFernet(list(_fernets()))


@cache
def _digest_keys() -> tuple[bytes, ...]:
    return tuple(_derive(secret, b"fuchi personal data digest") for secret in _secrets())


def reload_keys() -> None:
    """Forget the derived keys, so the next call derives them from `settings` again (tests, rotation)."""
    _fernets.cache_clear()
    _fernet.cache_clear()
    _digest_keys.cache_clear()


def encrypt(value: str) -> str:
    """`value` encrypted under the current key ('' stays '')."""
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    """The value of a token made under the current key or any earlier one; InvalidToken otherwise."""
    return _fernet().decrypt(token.encode()).decode() if token else ""


def is_current(token: str) -> bool:
    """Whether a token is already under the current key (so a rotation leaves it alone)."""
    if not token:
        return True
    try:
        _fernets()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same value under the current key; a token already under it is returned unchanged."""
    return token if is_current(token) else _fernet().rotate(token.encode()).decode()


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def digest(value: str) -> str:
    """A keyed hash under the current key, to store: equal values match, yet the hash alone cannot
    be reversed by trying all ID numbers."""
    return _hmac(_digest_keys()[0], value) if value else ""


def digests(value: str) -> list[str]:
    """The value's digest under every key, the current first: what a lookup must match while rows
    hashed under an earlier key remain (during a rotation)."""
    return [_hmac(key, value) for key in _digest_keys()] if value else []
