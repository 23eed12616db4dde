from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from services.core.migrations._shapes import add_fields


class Migration(migrations.Migration):
    # The mail sender: how a message left, failed attempts with a back-off, and the last error.
    dependencies = [('models', '0017_instr_test_methods')]

    initial = False

    operations = [
        *add_fields(
            'MailOutbox',
            ('transport', fields.CharField(max_length=16, null=True)),
            ('attempts', fields.IntField(default=0)),
            ('next_attempt_at', fields.DatetimeField(null=True)),
            ('last_error', fields.CharField(max_length=200, null=True)),
        ),
        ops.RunSQL(
            "CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (id) WHERE sent_at IS NULL",
            reverse_sql="DROP INDEX IF EXISTS mail_outbox_unsent_idx",
        ),
    ]
