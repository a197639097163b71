"""Secrets at rest: Fernet encryption with key rotation (MultiFernet) as a column type."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class SecretError(RuntimeError):
    """A stored secret cannot be decrypted: tampered, or encrypted with a key no longer given."""


class Keyring:
    """The Fernet keys in force, newest first; the newest encrypts, all of them decrypt."""

    def __init__(self, keys: tuple[str, ...] | list[str]):
        if not keys:
            raise SecretError("no encryption key configured (CROSSPORT_ENCRYPTION_KEYS)")
        self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretError("a stored secret failed its integrity check") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key (run after prepending a new key)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise SecretError("a stored secret failed its integrity check") from None


_active: Keyring | None = None


def install_keyring(keyring: Keyring) -> None:
    """Make `keyring` the one EncryptedText columns use (called by create_app and workers)."""
    global _active
    _active = keyring


def active_keyring() -> Keyring:
    if _active is None:
        raise SecretError("encryption keyring not installed; create the app first")
    return _active


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; reads give plaintext, the database sees only ciphertext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return active_keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return active_keyring().decrypt(value)
