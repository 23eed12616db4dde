from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    # The mail sender: how a message left, failed attempts with a back-off, and the last error.
    dependencies = [('models', '0016_demand_pending_edit')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MailOutbox',
            name='transport',
            field=fields.CharField(max_length=16, null=True),
        ),
        ops.AddField(
            model_name='MailOutbox',
            name='attempts',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='MailOutbox',
            name='next_attempt_at',
            field=fields.DatetimeField(null=True),
        ),
        ops.AddField(
            model_name='MailOutbox',
            name='last_error',
            field=fields.CharField(max_length=200, null=True),
        ),
        ops.RunSQL(
            "CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (id) WHERE sent_at IS NULL",
            reverse_sql="DROP INDEX IF EXISTS mail_outbox_unsent_idx",
        ),
    ]
