"""problem+json speaks zh-CN unless the caller asks for English (Accept-Language or a `lang` cookie)."""

from typing import Any

import pytest

from tests.factories import unique

pytestmark = pytest.mark.integration

BILINGUAL = "邮箱或密码错误 (wrong e-mail or password)"


async def _login_failure(api: Any, **kwargs: Any) -> Any:
    email = f"{unique('nobody')}@example.cn".lower()
    return await api.call(
        "POST",
        "/api/v1/auth/token",
        expect=401,
        json={"email": email, "password": "not-the-password-1"},
        **kwargs,
    )


@pytest.mark.parametrize(
    ("headers", "cookies", "detail", "language"),
    [
        ({}, {}, BILINGUAL, "zh-CN"),
        ({"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}, {}, BILINGUAL, "zh-CN"),
        ({"accept-language": "en-US,en;q=0.9"}, {}, "wrong e-mail or password", "en"),
        ({"accept-language": "zh;q=0.5, en;q=0.9"}, {}, "wrong e-mail or password", "en"),
        ({"accept-language": "en"}, {"lang": "zh-CN"}, BILINGUAL, "zh-CN"),
        ({}, {"lang": "en"}, "wrong e-mail or password", "en"),
        ({"accept-language": "en;q=bogus"}, {}, BILINGUAL, "zh-CN"),
    ],
)
async def test_the_detail_follows_the_language_asked_for_and_the_code_never_changes(
    api: Any, headers: dict[str, str], cookies: dict[str, str], detail: str, language: str
) -> None:
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    response = await _login_failure(api, headers={**headers, **({"cookie": cookie} if cookie else {})})

    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "bad_credentials"
    assert body["detail"] == detail
    assert body["messages"] == {"zh-CN": "邮箱或密码错误", "en": "wrong e-mail or password"}
    assert response.headers["content-language"] == language
