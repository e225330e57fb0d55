"""One-time codes (ballot accounts, people's activation codes): 60 random bits in Crockford
base32, shown as ``XXXX-XXXX-XXXX``.

Typing is forgiving. A code is read in every form a phone or an input method produces:
Unicode NFKC first (full-width letters, digits and dashes of a Chinese IME in 全角 mode become
ASCII), then case, every kind of dash (‐ ‑ ‒ – — ― − ﹣ －) and every space (also no-break,
ideographic and zero-width ones) are ignored, and the look-alikes Crockford defines are mapped
(O -> 0, I and L -> 1). A pasted slip URL gives its code (what follows the last ``#``).

What still is not 12 characters of the alphabet cannot be a code: ``parse`` says why, in
words an evaluator can act on (a fault of form, never counted as a guess).
"""

from __future__ import annotations

import base64
import secrets
import unicodedata
from typing import Any

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 12  # 12 x 5 bits = 60 bits
GROUP = 4
_FROM_RFC4648 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
MAX_TYPED = 2048  # a whole pasted slip URL (``{BASE_URL}/b/#CODE``) can be far longer than the code
# Dashes that are not Unicode "dash punctuation" (Pd) but are typed as one: minus signs, the
# modifier minus, the hyphen bullet, the heavy minus of emoji keyboards, the katakana long
# vowel mark of Japanese IMEs (full and half width).
_EXTRA_DASHES = frozenset("\u2212\u02d7\u2043\u2796\u30fc\uff70")
EXAMPLE = "ABCD-EFGH-JKMN"

# Message ids (English); the ballot pages and API translate them (ballots/locales).
EMPTY = "type the 12 letters and digits of the code on your slip"
TOO_LONG = "this is far too long for a code: a code has 12 letters and digits, like {example}"
BAD_CHARACTERS = (
    "a code has only the letters and digits printed on your slip, like {example}; "
    "these cannot be part of it: {characters}"
)
WRONG_LENGTH = "a code has 12 letters and digits, like {example}; this has {count}: check what you typed"


class CodeFormError(ValueError):
    """What was typed cannot be a code at all: ``message`` is a message id, ``params`` its values."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


def new_code() -> str:
    """A fresh code in canonical form (no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_codes(count: int) -> list[str]:
    """``count`` fresh codes in canonical form, quickly (100,000 in well under a
    second): ``secrets`` bytes in base32, mapped to the Crockford alphabet, 12 characters (60
    bits) each. Codes may repeat only by chance (2**-60 per pair); a unique index where they
    are stored catches that."""
    pairs = -(-count // 2)  # 15 bytes = 24 base32 characters = two codes
    text = base64.b32encode(secrets.token_bytes(15 * pairs)).decode("ascii").translate(_FROM_RFC4648)
    return [text[i : i + CODE_LENGTH] for i in range(0, CODE_LENGTH * count, CODE_LENGTH)]


def _ignored(ch: str) -> bool:
    """A separator nobody means as part of the code: a dash, a space, an invisible character."""
    if ch.isspace() or ch in _EXTRA_DASHES:
        return True
    category = unicodedata.category(ch)
    return category == "Pd" or category == "Cf"  # dash punctuation; format characters (zero-width ones)


def parse(typed: str) -> str:
    """The canonical form of a typed or scanned code; ``CodeFormError`` when it cannot be one."""
    if len(typed or "") > MAX_TYPED:
        raise CodeFormError(TOO_LONG, example=EXAMPLE)
    value = unicodedata.normalize("NFKC", typed or "")
    if "#" in value:  # a whole QR URL pasted
        value = value.rsplit("#", 1)[1]
    value = "".join(ch for ch in value if not _ignored(ch)).upper().translate(_LOOK_ALIKES)
    if not value:
        raise CodeFormError(EMPTY)
    bad = list(dict.fromkeys(ch for ch in value if ch not in ALPHABET))
    if bad:
        shown = " ".join(bad[:5]) + (" …" if len(bad) > 5 else "")
        raise CodeFormError(BAD_CHARACTERS, example=EXAMPLE, characters=shown)
    if len(value) != CODE_LENGTH:
        raise CodeFormError(WRONG_LENGTH, example=EXAMPLE, count=len(value))
    return value


def normalize(typed: str) -> str | None:
    """Canonical form of a typed or scanned code, or None when it cannot be a code."""
    try:
        return parse(typed)
    except CodeFormError:
        return None


def display(code: str) -> str:
    """``ABCD-EFGH-JKMN``, as printed on the slip."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
