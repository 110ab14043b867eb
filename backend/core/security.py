"""Password hashing (Argon2) and opaque session tokens (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

SESSION_COOKIE = "studio_session"
#: A random id the browser keeps across sign-outs: a browser that signed in to an account before is
#: not locked out by failures elsewhere (backend/core/login_throttle.py). Its value grants nothing.
DEVICE_COOKIE = "studio_device"
DEVICE_COOKIE_MAX_AGE = 400 * 86400  # the longest a browser keeps a cookie


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A fixed hash to verify against when the user does not exist, so both paths take the same time.
DUMMY_HASH = _hasher.hash("not-a-real-password")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
