"""Public schemas of notifications."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class NotificationKind(StrEnum):
    NEW_MATCHES = "new_matches"
    BROKER_ASSIGNED = "broker_assigned"
    STAGE_CHANGED = "stage_changed"
    ENQUIRY_ANSWERED = "enquiry_answered"
    BOOKING_DECIDED = "booking_decided"
    INTEREST = "interest"
    REMINDER = "reminder"
    SERVICE_ORDER = "service_order"


class NotificationRead(BaseModel):
    id: int
    kind: NotificationKind
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    total: int
    unread: int
    page: int
    size: int
    items: list[NotificationRead]
