"""Public ids: short, URL-safe, unguessable, roughly time-ordered (like ULIDs, base32)."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def new_public_id() -> str:
    """A 20-character id: 48 bits of milliseconds then 52 random bits."""
    value = (int(time.time() * 1000) << 52) | secrets.randbits(52)
    chars = []
    for _ in range(20):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))
