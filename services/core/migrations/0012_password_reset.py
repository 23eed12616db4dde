from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.fields.base import OnDelete

class Migration(migrations.Migration):
    # Password reset (issue 13): single-use reset tokens (hash only) and an outgoing-mail table.
    dependencies = [('models', '0011_payouts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PasswordReset',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(max_length=64, unique=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='password_resets', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField()),
                ('used_at', fields.DatetimeField(null=True)),
            ],
            options={'table': 'accounts_password_reset', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A single-use password reset token; only its SHA-256 is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailOutbox',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('to', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True)),
            ],
            options={'table': 'mail_outbox', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Outgoing mail, written in the same transaction as what it announces; a sender sets sent_at.'},
            bases=['Model'],
        ),
    ]
