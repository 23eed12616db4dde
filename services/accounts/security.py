"""Password hashing (argon2id) and opaque token generation."""

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A real hash of a random password: verifying against it when the account does not exist keeps
# the response time of a wrong e-mail equal to a wrong password (no account enumeration).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; constant work when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    """hash_password in a worker thread: argon2 takes tens of milliseconds of CPU, never on the event loop."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """verify_password in a worker thread."""
    return await asyncio.to_thread(verify_password, password_hash, password)


def new_token() -> str:
    """A fresh opaque token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store of a token."""
    return hashlib.sha256(token.encode()).hexdigest()
