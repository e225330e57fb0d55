"""One-time account codes: 60 random bits in Crockford base32, shown as ``XXXX-XXXX-XXXX``.

Typing is forgiving: case, dashes and spaces are ignored, and the look-alikes Crockford
defines are mapped (O -> 0, I and L -> 1).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 12  # 12 x 5 bits = 60 bits
GROUP = 4
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
MAX_TYPED = 2048  # a whole pasted slip URL (``{BASE_URL}/b/#CODE``) can be far longer than the code


def new_code() -> str:
    """A fresh code in canonical form (no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(typed: str) -> str | None:
    """Canonical form of a typed or scanned code, or None when it cannot be a code."""
    if not typed or len(typed) > MAX_TYPED:
        return None
    value = typed.strip()
    if "#" in value:  # a whole QR URL pasted
        value = value.rsplit("#", 1)[1]
    value = value.upper().replace("-", "").replace(" ", "").translate(_LOOK_ALIKES)
    if len(value) != CODE_LENGTH or any(ch not in ALPHABET for ch in value):
        return None
    return value


def display(code: str) -> str:
    """``ABCD-EFGH-JKMN``, as printed on the slip."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))
