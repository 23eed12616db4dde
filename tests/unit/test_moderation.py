"""Contact details in public text are flagged; ordinary technical text is not."""

import pytest

from services.catalog.moderation import contact_flags


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("加微信 abc123", ["wechat"]),
        ("WeChat: tm_sales", ["wechat"]),
        ("电话 13812345678 咨询", ["mobile"]),
        ("QQ：123456789", ["qq"]),
        ("联系 sales@example.cn", ["email"]),
        ("详见 https://spam.example", ["url"]),
        ("官网 www.example.com", ["url"]),
        ("加微信 13912345678", ["mobile", "wechat"]),
    ],
)
def test_contact_details_are_flagged(text: str, flags: list[str]) -> None:
    assert contact_flags([text]) == flags


@pytest.mark.parametrize(
    "text",
    [
        "石墨烯导热膜制备技术",
        "导热系数 120 W/mK，厚度 25 μm",
        "专利号 202110123456.7",
        "TRL 6，年产 10000 平方米",
    ],
)
def test_technical_text_is_not_flagged(text: str) -> None:
    assert contact_flags([text]) == []
