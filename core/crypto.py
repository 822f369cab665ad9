"""Personal data at rest: encrypted so a dump does not show it, with a keyed hash to find duplicates.

Both keys derive from SECRET_KEY; changing SECRET_KEY makes stored values unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.config import settings


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(settings.secret_key.encode())


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"fuchi personal data encryption")))


@cache
def _digest_key() -> bytes:
    return _derive(b"fuchi personal data digest")


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def digest(value: str) -> str:
    """A keyed hash: equal values match, yet the hash alone cannot be reversed by trying all ID numbers."""
    return hmac.new(_digest_key(), value.encode(), hashlib.sha256).hexdigest() if value else ""
