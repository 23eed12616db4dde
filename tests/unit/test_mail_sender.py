"""The mail sender's pure parts: the message it builds, its back-off and what it records of a failure."""

import smtplib
from datetime import timedelta

from services.accounts.mail import Outgoing, build_message, describe_failure, retry_delay


def test_the_message_is_utf8_plain_text_with_the_headers_a_server_expects():
    mail = Outgoing(to="wang@example.cn", subject="重置密码", body="王老师，您好：\n请点击链接重置密码。")
    message = build_message(mail=mail, sender="科技服务超市 <noreply@techmarket.cn>", domain="techmarket.cn")
    assert message["To"] == "wang@example.cn"
    assert message["Subject"] == "重置密码"
    assert message["Message-ID"].endswith("@techmarket.cn>")
    assert message["Date"]
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == "王老师，您好：\n请点击链接重置密码。\n"
    assert "=?utf-8?" in message.as_string()  # the Chinese subject is encoded for the wire


def test_retries_back_off_exponentially_up_to_an_hour():
    assert [retry_delay(attempts=n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert retry_delay(attempts=30) == timedelta(hours=1)


def test_a_failure_is_recorded_without_the_servers_text():
    refused = smtplib.SMTPRecipientsRefused({"wang@example.cn": (550, b"wang@example.cn unknown")})
    assert describe_failure(error=refused) == "SMTPRecipientsRefused"
    rejected = smtplib.SMTPDataError(554, "message from wang@example.cn rejected")
    assert describe_failure(error=rejected) == "SMTPDataError 554"
    assert describe_failure(error=ConnectionRefusedError(111, "refused")) == "ConnectionRefusedError"
