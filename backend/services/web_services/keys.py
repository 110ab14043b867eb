"""Service keys: random secrets shown once, stored only as their SHA-256 digest.

A key is ``csk_`` and 32 random bytes, URL-safe base64 (43 characters): guessing one is hopeless, so
a fast digest is enough (a slow password hash would only slow every request). Checking a presented
key compares its digest with both of the service's digests in constant time, always both, so the
time taken says nothing about which key (or how much of one) matched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["KEY_PREFIX", "key_digest", "key_hint", "key_matches", "new_key"]

KEY_PREFIX = "csk_"
#: The characters of a key kept for display (the prefix and the first four random ones).
HINT_CHARS = 8
#: Longer than any key: a longer "key" is refused before it is hashed.
MAX_KEY_CHARS = 128


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    """The SHA-256 hex digest stored in place of a key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def key_hint(key: str) -> str:
    return key[:HINT_CHARS]


def key_matches(presented: str, *digests: str | None) -> bool:
    """Whether ``presented`` is the key of one of ``digests`` (a ``None`` digest matches nothing)."""
    if not presented.startswith(KEY_PREFIX) or len(presented) > MAX_KEY_CHARS:
        return False
    digest = key_digest(presented).encode()
    matched = False
    for stored in digests:
        # No short-circuit: every digest is compared, whatever the first gave.
        matched |= hmac.compare_digest(digest, (stored or "").encode())
    return matched
