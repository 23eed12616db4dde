"""The mail sender: the worker delivers the mail outbox by SMTP (retrying with back-off while the server is
unreachable) or, with no SMTP server configured, hands it to the development mail viewer."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import create_org, unique, valid_uscc
from tests.integration.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Processes,
    _free_port,
    drop_private_stack,
    private_env,
    private_stack,
)

# An autouse fixture: earlier tests of the suite must not use up the address's reset allowance.
from tests.integration.test_password_reset import fresh_reset_counters  # noqa: F401
from tests.integration.test_portal import Portal, portal_factory  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.integration
PASSWORD = "Mail-Sender-2026!"
RESET = "/api/v1/auth/password-reset"


async def _eventually(check: Callable[[], Awaitable[Any]], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {seconds}s: {last!r}")


class Inbox:
    """What an SMTP server received (aiosmtpd's handler hook)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


async def test_without_smtp_the_worker_hands_mail_to_the_viewer(api, admin_token, db, portal_factory):  # noqa: F811
    # given a member of an organisation, on the suite's stack (no SMTP server configured)
    org = await create_org(api, admin_token)
    email = f"{unique('viewer')}@suite.example.cn"
    body = {"email": email, "password": PASSWORD, "name": "周晓梅", "role": "provider", "org_id": org["id"]}
    await api.json("POST", "/api/v1/admin/users", token=admin_token, expect=201, json=body)

    # when they ask for a password reset
    await api.call("POST", RESET, json={"email": email}, expect=202)

    # then the worker marks the mail delivered to the development mail viewer
    row = await _eventually(
        lambda: db.fetchrow(
            'SELECT id, sent_at, transport, attempts FROM mail_outbox WHERE "to" = $1 AND sent_at IS NOT NULL',
            email,
        )
    )
    assert row["transport"] == "viewer"
    assert row["attempts"] == 1
    admin: Portal = portal_factory()
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert "已投递到开发邮箱" in await admin.page(f"/dev/mail/{row['id']}")


@pytest.fixture
async def smtp_stack() -> AsyncIterator[tuple[Processes, int]]:
    """A private stack (server + worker) whose SMTP server is a loopback port nothing listens on yet."""
    port = _free_port()
    env = private_env(
        "mail", SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_STARTTLS="false", SMTP_TIMEOUT_SECONDS="5"
    )
    processes = await asyncio.to_thread(private_stack, env, "-mail", worker=True)
    try:
        yield processes, port
    finally:
        await asyncio.to_thread(drop_private_stack, processes)


async def test_smtp_delivery_retries_until_the_server_answers(smtp_stack):
    from aiosmtpd.controller import Controller

    processes, port = smtp_stack
    email = f"{unique('smtp')}@suite.example.cn"
    conn = await asyncpg.connect(processes.env["DATABASE_URL"].replace("postgres://", "postgresql://"))
    controller: Controller | None = None
    try:
        async with httpx.AsyncClient(base_url=processes.base, timeout=30) as client:
            # given a self-registered member
            org = {"name": unique("重庆嘉陵检测技术有限公司"), "uscc": valid_uscc(), "kind": "enterprise"}
            registered = await client.post(
                "/api/v1/auth/register",
                json={
                    "email": email,
                    "password": PASSWORD,
                    "name": "陈思远",
                    "role": "enterprise",
                    "org": {**org, "region": "500106"},
                },
            )
            assert registered.status_code == 201, registered.text

            # when they ask for a password reset while the mail server is unreachable
            answer = await client.post(RESET, json={"email": email})
            assert answer.status_code == 202, answer.text

        # then the mail stays unsent, the failure is counted and recorded without the address
        failed = await _eventually(
            lambda: conn.fetchrow(
                'SELECT sent_at, attempts, last_error, next_attempt_at FROM mail_outbox WHERE "to" = $1 '
                "AND attempts > 0",
                email,
            )
        )
        assert failed["sent_at"] is None
        assert failed["last_error"] == "ConnectionRefusedError"
        assert failed["next_attempt_at"] is not None

        # when the server comes up, then the next attempt delivers it and marks it sent by SMTP
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        sent = await _eventually(
            lambda: conn.fetchrow(
                'SELECT sent_at, transport, last_error FROM mail_outbox WHERE "to" = $1 AND sent_at IS NOT NULL',
                email,
            ),
            seconds=60,
        )
        assert sent["transport"] == "smtp"
        assert sent["last_error"] is None
        assert len(inbox.messages) == 1
        recipients, message = inbox.messages[0]
        assert recipients == [email]
        assert message["To"] == email
        assert "重置密码" in str(message["Subject"])
        text = message.get_content()
        assert "/password-reset?token=" in text

        # and it is delivered once: a later pass of the worker sends nothing again
        await asyncio.sleep(2.5)
        assert len(inbox.messages) == 1
    finally:
        if controller is not None:
            controller.stop()
        await conn.close()
