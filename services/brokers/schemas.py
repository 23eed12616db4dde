"""Broker profiles: what a person files, what everyone reads back."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.core.errors import LocalizedValueError
from services.reference.fields import TECH_FIELD_CODES


class BrokerStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class BrokerApply(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    certificate_no: Annotated[
        str, StringConstraints(min_length=4, max_length=64, pattern=r"^[0-9A-Za-z\-]+$")
    ]
    title: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    fields: list[str] = Field(min_length=1, max_length=11)

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in TECH_FIELD_CODES]
        if unknown:
            raise LocalizedValueError(f"未知的技术领域代码 {unknown}", "unknown field code")
        return list(dict.fromkeys(value))


class BrokerReject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class BrokerRead(BaseModel):
    id: int
    user_id: int
    org_id: int
    certificate_no: str
    title: str
    fields: list[str]
    status: BrokerStatus
    decided_at: datetime | None
    reject_reason: str | None
    created_at: datetime
