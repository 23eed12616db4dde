from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.fields.base import OnDelete
from services.core.migrations._shapes import big_id, create_model, created_at, foreign_key

class Migration(migrations.Migration):
    # Password reset (issue 13): single-use reset tokens (hash only) and an outgoing-mail table.
    dependencies = [('models', '0011_payouts')]

    initial = False

    operations = [
        create_model(
            'PasswordReset', 'accounts_password_reset',
            [
                big_id(),
                ('token_hash', fields.CharField(max_length=64, unique=True)),
                foreign_key('user', 'User', 'password_resets', OnDelete.CASCADE),
                created_at(),
                ('expires_at', fields.DatetimeField()),
                ('used_at', fields.DatetimeField(null=True)),
            ],
            description='A single-use password reset token; only its SHA-256 is stored.',
        ),
        create_model(
            'MailOutbox', 'mail_outbox',
            [
                big_id(),
                ('to', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField()),
                created_at(),
                ('sent_at', fields.DatetimeField(null=True)),
            ],
            description='Outgoing mail, written in the same transaction as what it announces; a sender sets sent_at.',
        ),
    ]
