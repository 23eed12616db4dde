"""Public schemas of the accounts context."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator

from services.core.errors import LocalizedValueError
from services.reference.identifiers import normalise_uscc, uscc_problem
from services.reference.regions import is_valid_region_code
from services.reference.vocabulary import OrgKind, Role

# What a person may give themselves: membership of an enterprise or a provider. Every other role is granted
# (broker: an admin approves the broker's profile; admin: the CLI or another admin).
SELF_SERVICE_ROLES = frozenset({Role.ENTERPRISE, Role.PROVIDER})
# What a member may invite a colleague as: never a broker or an admin.
INVITABLE_ROLES = frozenset({Role.ENTERPRISE, Role.PROVIDER, Role.EXPERT})


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]


def _check_region(value: str) -> str:
    if not is_valid_region_code(value):
        raise LocalizedValueError("不是有效的行政区划代码", "not a valid 6-digit GB/T 2260 region code")
    return value


class OrgCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    uscc: str = Field(description="18-character 统一社会信用代码")
    kind: OrgKind
    region: str = Field(pattern=r"^\d{6}$")

    @field_validator("uscc")
    @classmethod
    def _check_uscc(cls, value: str) -> str:
        code = normalise_uscc(value)
        problem = uscc_problem(code)
        if problem:
            raise LocalizedValueError.of(problem)
        return code

    @field_validator("region")
    @classmethod
    def _check_region(cls, value: str) -> str:
        return _check_region(value)


class OrgRead(BaseModel):
    id: int
    name: str
    uscc: str
    kind: OrgKind
    region: str
    verified: bool
    created_at: datetime


class UserRead(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    org_id: int | None
    created_at: datetime


class MeRead(UserRead):
    org: OrgRead | None


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: Password
    name: Name
    role: Role
    org: OrgCreate | None = None
    invite: str | None = None


class AdminUserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: Password
    name: Name
    role: Role
    org_id: int | None = None


class TokenRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=200)
    new_password: Password


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class InviteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Role.PROVIDER
    email: EmailStr | None = None


class InviteRead(BaseModel):
    invite: str
    org_id: int
    role: Role
    expires_at: datetime


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    new_password: Password


class PasswordResetAccepted(BaseModel):
    status: str = "accepted"
    detail: str = "如该邮箱已注册，我们已发送重置密码邮件"


class MailRead(BaseModel):
    id: int
    to: str
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None
    transport: str | None = None
    attempts: int = 0
    last_error: str | None = None
