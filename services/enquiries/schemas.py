"""Request and response bodies of enquiries."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class EnquiryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    message: Annotated[str, StringConstraints(min_length=1, max_length=5000)]
    contact_back: str = Field(default="", max_length=254, description="how the expert may answer the sender")


class EnquiryReply(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: Annotated[str, StringConstraints(min_length=1, max_length=5000)]
    share_contact: bool = False


class ExpertContactRead(BaseModel):
    phone: str | None
    email: str | None


class EnquiryRead(BaseModel):
    id: int
    # The listing asked about: an expert, an achievement or an agency (expert_* name it, as before).
    expert_id: int
    expert_name: str
    listing_type: str = "expert"
    sender_id: int
    sender_org_id: int | None
    subject: str
    message: str
    contact_back: str
    status: str
    reply: str | None
    replied_at: datetime | None
    contact: ExpertContactRead | None
    created_at: datetime


class EnquiryPage(BaseModel):
    total: int
    page: int
    size: int
    items: list[EnquiryRead]
