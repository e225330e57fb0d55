"""Secrets handling: argon2id passwords, keyed hashes for tokens and codes, field encryption.

Every key is derived from ``KAOPING_SECRET_KEY`` with HKDF and a purpose label, so a leak
of one derived key does not reveal the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_password_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so timing does not reveal it."""
    return _password_hasher.hash("kaoping-dummy-password")


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _password_hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def derive_key(secret_key: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(secret_key.encode())


class Keyring:
    """Keys derived from the secret key, one per purpose."""

    def __init__(self, secret_key: str):
        self._token_key = derive_key(secret_key, "kaoping token hash v1")
        self._digest_key = derive_key(secret_key, "kaoping field digest v1")
        self._field_key = AESGCM(derive_key(secret_key, "kaoping field encryption v1"))
        self._sign_key = derive_key(secret_key, "kaoping signed tokens v1")
        self._ballot_box_key = derive_key(secret_key, "kaoping ballot box v1")
        self._receipt_key = derive_key(secret_key, "kaoping ballot receipt v1")
        self._audit_key = derive_key(secret_key, "kaoping audit chain v1")
        self._backup_key = derive_key(secret_key, "kaoping backup manifest v1")
        # Names the key without revealing it (nor any derived key): HKDF under its own label.
        self.fingerprint = derive_key(secret_key, "kaoping key fingerprint v1").hex()[:32]
        self._ballot_boxes: dict[int, AESGCM] = {}

    def token_hash(self, token: str) -> str:
        """HMAC-SHA256 of a bearer token, session id or ballot code, as stored in the database."""
        return hmac.digest(self._token_key, token.encode(), "sha256").hex()  # one-shot: OpenSSL's, in C

    def digest(self, value: str) -> str:
        """Keyed digest of a sensitive field, to find duplicates without decrypting."""
        return hmac.new(self._digest_key, value.encode(), hashlib.sha256).hexdigest()

    def sign(self, message: str) -> str:
        """A MAC for stateless tokens (ballot sessions); verify with ``hmac.compare_digest``."""
        return hmac.new(self._sign_key, message.encode(), hashlib.sha256).hexdigest()

    def audit_mac(self, payload: bytes) -> str:
        """HMAC-SHA256 of an audit entry (``core.services.audit``): without the secret key nobody can
        write an entry, or re-chain the entries after a changed one, that verifies."""
        return hmac.new(self._audit_key, payload, hashlib.sha256).hexdigest()

    def backup_mac(self, payload: bytes) -> str:
        """HMAC-SHA256 of a backup's manifest (``core.backup``), so a changed archive is refused."""
        return hmac.new(self._backup_key, payload, hashlib.sha256).hexdigest()

    def ballot_box(self, campaign_id: int) -> AESGCM:
        """The AES-GCM key that seals a campaign's staged ballots and drafts: HKDF of the ballot-box
        key and the campaign id, so one campaign's key opens no other's."""
        box = self._ballot_boxes.get(campaign_id)
        if box is None:
            key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"campaign {campaign_id}".encode()).derive(
                self._ballot_box_key
            )
            box = self._ballot_boxes[campaign_id] = AESGCM(key)
        return box

    def receipt(self, nonce: str, content: bytes) -> bytes:
        """32 bytes that recognise a ballot's ``content`` again, keyed by the ``nonce`` of the ballot
        session that cast it (the nonce is only in the evaluator's session token, never stored):
        without it, the secret key does not tell which ballot an account's receipt belongs to."""
        key = hmac.new(self._receipt_key, nonce.encode(), hashlib.sha256).digest()
        return hmac.new(key, content, hashlib.sha256).digest()

    def encrypt(self, value: str) -> str:
        nonce = os.urandom(12)
        return "v1:" + base64.urlsafe_b64encode(nonce + self._field_key.encrypt(nonce, value.encode(), None)).decode()

    def decrypt(self, token: str) -> str:
        if not token.startswith("v1:"):
            raise ValueError("unknown ciphertext version")
        raw = base64.urlsafe_b64decode(token[3:])
        try:
            return self._field_key.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag as exc:
            raise ValueError("ciphertext does not match the secret key") from exc


def new_token() -> str:
    return secrets.token_urlsafe(32)


def mask_id_card(number: str) -> str:
    """Show the first 4 and last 4 characters of an ID-card number only."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
