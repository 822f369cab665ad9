"""Password hashing with Argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.config import settings

_cost = settings.password_hashing
_hasher = PasswordHasher(time_cost=_cost.time_cost, memory_cost=_cost.memory_kib, parallelism=_cost.parallelism)

MIN_LENGTH = 10

# Verified against when the user does not exist, so an unknown name costs the same time as a
# wrong password and the two cannot be told apart.
_DUMMY_HASH = _hasher.hash("fuchi-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check `password` against a stored hash; None (unknown user) is checked against a dummy."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """The message id of what is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return "The password must be at least 10 characters long."
    return None
