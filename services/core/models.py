"""Cross-cutting tables: the transactional outbox, the audit log and import/background jobs."""

from typing import Any

from tortoise import fields
from tortoise.models import Model


class TimestampMixin:
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)


class OutboxEvent(Model):
    """Written in the same transaction as the change it announces; drained by the worker."""

    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=64)
    aggregate_type = fields.CharField(max_length=32)
    aggregate_id = fields.BigIntField()
    # Monotonic per aggregate: the indexer uses it as an external version so an older
    # event can never overwrite a newer document.
    aggregate_version = fields.BigIntField(default=0)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error: str | None = fields.TextField(null=True)

    class Meta:
        table = "core_outbox"
        indexes = (("processed_at", "id"),)


class AuditLog(Model):
    id = fields.BigIntField(primary_key=True)
    actor_id = fields.BigIntField(null=True)
    action = fields.CharField(max_length=64)
    object_type = fields.CharField(max_length=32)
    object_id = fields.CharField(max_length=64)
    detail: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "core_audit_log"
        indexes = (("object_type", "object_id"),)


class Job(Model):
    """A background job a user waits on (bulk import); progress is polled over the API."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharField(max_length=32)
    status = fields.CharField(max_length=16, default="queued")
    owner_id = fields.BigIntField(null=True)
    org_id = fields.BigIntField(null=True)
    params: dict[str, Any] = fields.JSONField(default=dict)
    total = fields.IntField(default=0)
    done = fields.IntField(default=0)
    failed = fields.IntField(default=0)
    errors: list[Any] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "core_job"


class JobFile(Model):
    """The uploaded file of an import job: written with the job, read by the worker, emptied when done."""

    job: fields.OneToOneRelation[Job] = fields.OneToOneField(
        "models.Job", related_name="file", on_delete=fields.CASCADE, primary_key=True
    )
    job_id: Any
    filename = fields.TextField()
    content = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "core_job_file"
