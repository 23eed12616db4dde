"""Schemathesis over every operation of /openapi.json, as anonymous, member and admin: 0 server errors.

A throwaway stack of its own (database, indices) takes the generated junk, so no other test sees it. Each
identity gets a fixed time budget (TM_FUZZ_SECONDS, default 45 s), so the whole module stays near three
minutes on a two-core machine.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from tests.factories import unique, valid_uscc
from tests.integration.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Processes,
    drop_private_stack,
    private_env,
    private_stack,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("TM_FUZZ_SECONDS", "45"))
MEMBER_PASSWORD = "Fuzz-Member-2026!"


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[Processes]:
    processes = private_stack(private_env("fuzz"), "-fuzz")
    try:
        yield processes
    finally:
        drop_private_stack(processes)
        # the fuzzer's failed logins count against 127.0.0.1, which the rest of the suite logs in from
        redis = Redis.from_url(os.environ["REDIS_URL"])
        for key in redis.scan_iter("tm:login-attempts:*"):
            redis.delete(key)
        redis.close()


def _tokens(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        admin = client.post("/api/v1/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        admin.raise_for_status()
        admin_token = admin.json()["access_token"]
        email = f"{unique('fuzz')}@fuzz.example.cn"
        registered = client.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": MEMBER_PASSWORD,
                "name": "模糊测试",
                "role": "provider",
                "org": {
                    "name": unique("模糊测试机构"),
                    "uscc": valid_uscc(),
                    "kind": "enterprise",
                    "region": "500106",
                },
            },
        )
        registered.raise_for_status()
        member = client.post("/api/v1/auth/token", json={"email": email, "password": MEMBER_PASSWORD})
        member.raise_for_status()
        return {"admin": admin_token, "member": member.json()["access_token"]}


def _fuzz(base: str, token: str | None, seed: int, report: Path) -> subprocess.CompletedProcess[str]:
    args = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-time",
        str(SECONDS),
        "--workers",
        "1",
        "--seed",
        str(seed),
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-shrink",
        "--continue-on-failure",
        "--max-failures",
        "50",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        "--warnings",
        "off",
    ]
    if token:
        # a fuzzed logout would revoke the identity under test
        args += ["-H", f"Authorization: Bearer {token}", "--exclude-path", "/api/v1/auth/logout"]
    return subprocess.run(
        args, capture_output=True, text=True, timeout=SECONDS * 4 + 120, check=False, env=os.environ.copy()
    )


@pytest.mark.parametrize("identity", ["anonymous", "member", "admin"])
def test_fuzzing_every_operation_finds_no_server_error(fuzz_stack, identity, tmp_path):
    token = None if identity == "anonymous" else _tokens(fuzz_stack.base)[identity]
    before = fuzz_stack.server_log().count('"web.unhandled"')
    done = _fuzz(fuzz_stack.base, token, seed=20261204, report=tmp_path / "junit.xml")
    output = done.stdout + done.stderr
    unhandled = fuzz_stack.server_log().count('"web.unhandled"') - before
    print(output[-3000:])
    assert "Server error" not in output, output[-6000:]
    assert unhandled == 0, fuzz_stack.server_log()[-6000:]
    # the run really exercised every operation with a fair number of cases
    tested = re.search(r"Tested: (\d+)", output)
    generated = re.search(r"(\d+) generated", output)
    assert tested, output[-3000:]
    assert int(tested.group(1)) >= 55, output[-3000:]
    assert generated, output[-3000:]
    assert int(generated.group(1)) >= 300, output[-3000:]
    # schemathesis' own runtime errors (a generator crash) are not the API's; anything else fails the test
    failures = re.findall(r"^\s*(?:❌|🚫) ([^:\n]+)", output, flags=re.MULTILINE)
    assert done.returncode == 0 or set(failures) <= {"Runtime Error", "Coverage", "Fuzzing", "Stateful"}, (
        output[-6000:]
    )
