"""The mail sender: delivers the mail outbox by SMTP when configured, else hands it to the dev mail viewer."""

import asyncio
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from services.accounts import repository
from services.core import clock
from services.core.db import transaction
from services.core.logging import get_logger
from services.core.settings import Settings, get_settings

log = get_logger("mail")
BATCH = 20
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=2)
LONGEST_RETRY = timedelta(hours=1)
VIEWER = "viewer"
SMTP = "smtp"


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str


def build_message(*, mail: Outgoing, sender: str, domain: str) -> EmailMessage:
    """A UTF-8 plain-text message with the headers a mail server expects."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.body, charset="utf-8")
    return message


def retry_delay(*, attempts: int) -> timedelta:
    """Back-off after the attempts made so far: 2 s, 4 s, 8 s … at most an hour."""
    delay: timedelta = FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 20))
    return min(delay, LONGEST_RETRY)


def describe_failure(*, error: BaseException) -> str:
    """What went wrong, without the server's text (it may quote the recipient's address)."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"
    return type(error).__name__


def _send_blocking(*, message: EmailMessage, settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def _domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip(" >") or "techmarket.local"


async def deliver_due_mail(*, limit: int = BATCH) -> int:
    """Deliver (or hand to the viewer) the mail that is due; returns how many rows were attempted."""
    settings = get_settings()
    now: datetime = clock.now()
    async with transaction() as conn:
        rows = await repository.claim_due_mail(
            now=now, max_attempts=MAX_ATTEMPTS, limit=limit, connection=conn
        )
        for row in rows:
            if not settings.smtp_host:
                await repository.mark_mail_sent(mail_id=row.id, transport=VIEWER, at=now, connection=conn)
                continue
            message = build_message(
                mail=Outgoing(to=row.to, subject=row.subject, body=row.body),
                sender=settings.mail_from,
                domain=_domain(settings.mail_from),
            )
            try:
                await asyncio.to_thread(_send_blocking, message=message, settings=settings)
            except (OSError, smtplib.SMTPException) as exc:
                attempts = row.attempts + 1
                error = describe_failure(error=exc)
                await repository.mark_mail_failed(
                    mail_id=row.id,
                    attempts=attempts,
                    next_attempt_at=now + retry_delay(attempts=attempts),
                    error=error,
                    connection=conn,
                )
                log.warning("mail.send_failed", mail_id=row.id, attempts=attempts, error=error)
                continue
            await repository.mark_mail_sent(mail_id=row.id, transport=SMTP, at=clock.now(), connection=conn)
            log.info("mail.sent", mail_id=row.id)
    return len(rows)
