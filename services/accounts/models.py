"""Organisations, their members, access tokens and invitations."""

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from services.core.models import TimestampMixin
from services.reference.vocabulary import OrgKind, Role, sql_in


class Organisation(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    uscc = fields.CharField(max_length=18, unique=True)
    kind = fields.CharField(max_length=16)
    region = fields.CharField(max_length=6)
    verified_at = fields.DatetimeField(null=True)
    verified_by_id = fields.BigIntField(null=True)

    members: fields.ReverseRelation["User"]

    class Meta:
        table = "accounts_organisation"
        constraints = (
            CheckConstraint(
                check=f"kind IN {sql_in(OrgKind)}",
                name="accounts_organisation_kind_valid",
            ),
            CheckConstraint(check="char_length(uscc) = 18", name="accounts_organisation_uscc_length"),
        )


class User(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=16)
    org: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="members", null=True, on_delete=fields.RESTRICT
    )
    org_id: int | None
    is_active = fields.BooleanField(default=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_user"
        constraints = (
            CheckConstraint(
                check=f"role IN {sql_in(Role)}",
                name="accounts_user_role_valid",
            ),
        )


class AccessToken(Model):
    """Opaque bearer tokens; only their SHA-256 is stored so a database leak leaks no sessions."""

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    kind = fields.CharField(max_length=16, default="bearer")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_access_token"


class Invitation(Model):
    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    org: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="invitations", on_delete=fields.CASCADE
    )
    org_id: int
    role = fields.CharField(max_length=16)
    email = fields.CharField(max_length=254, null=True)
    invited_by_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by_id = fields.BigIntField(null=True)

    class Meta:
        table = "accounts_invitation"


class PasswordReset(Model):
    """A single-use password reset token; only its SHA-256 is stored."""

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="password_resets", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_password_reset"


class MailOutbox(Model):
    """Outgoing mail, written in the same transaction as what it announces; a sender sets sent_at."""

    id = fields.BigIntField(primary_key=True)
    to = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    # How it left: "smtp", or "viewer" when no SMTP server is configured (the development mail viewer).
    transport = fields.CharField(max_length=16, null=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "mail_outbox"
