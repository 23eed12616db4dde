"""Password policy: long enough, not on a common or breached list, and strong by an estimator (zxcvbn)."""

from functools import lru_cache
from pathlib import Path

from zxcvbn import zxcvbn

from services.core.errors import Problem

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> Problem | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return Problem(f"密码至少 {MIN_LENGTH} 位", f"at least {MIN_LENGTH} characters")
    lowered = password.lower()
    if lowered in _common() or lowered.rstrip("!.@#") in _common():
        return Problem("该密码过于常见，已出现在泄露密码列表中", "this password is on a common/breached list")
    inputs = [part for value in user_inputs for part in value.lower().replace("@", " ").split() if part]
    # zxcvbn's cost grows with the length; the first 64 characters decide its score anyway.
    result = zxcvbn(password[:64], user_inputs=inputs)
    if int(result["score"]) < MIN_SCORE:
        return Problem("密码强度不足：请使用更长、更难猜的组合", "password too weak")
    return None
