"""No personal data or secrets in the logs of this suite run (named zz_ so that it runs after the others).

Every server and worker log this pytest process wrote (the main stack and the throwaway fuzz and fault
stacks) is scanned for e-mail addresses, mainland mobile numbers, the suite's passwords and bearer tokens.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import ADMIN_PASSWORD, ROOT

pytestmark = pytest.mark.integration
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SECRETS = re.compile(
    r"Bearer [A-Za-z0-9_-]{20,}|[A-Za-z]+-Pass-2026!?|TechMarket-2026|" + re.escape(ADMIN_PASSWORD)
)


def _logs() -> list[Path]:
    return sorted((ROOT / ".data" / "logs").glob(f"suite-{os.getpid()}*/*.log"))


def test_suite_logs_hold_no_personal_data_or_secrets(stack):
    logs = _logs()
    assert logs, "no suite logs found"
    found: list[str] = []
    lines = 0
    for log in logs:
        for number, line in enumerate(log.read_text(errors="replace").splitlines(), 1):
            lines += 1
            for pattern in (EMAIL, MOBILE, SECRETS):
                for match in pattern.findall(line):
                    found.append(f"{log.parent.name}/{log.name}:{number}: {match}")
    assert lines > 0
    assert not found, "\n".join(found[:50])


def test_the_cli_never_prints_the_password(stack, tmp_path):
    secret = "Never-Printed-Pass-2026!"
    env = {**os.environ, "TM_PASSWORD": secret}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "techmarket"), "create-user", "--role", "admin", "--email",
         "printed@suite.techmarket.cn"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert secret not in done.stdout + done.stderr
    # make echoes recipe lines unless they start with @: the admin password must never be on one
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t") and "ADMIN_PASSWORD" in line:
            assert line.startswith("\t@"), line
