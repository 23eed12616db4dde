from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    # Payouts through Connect destination charges: an organisation's payout account, and per payment the
    # destination and the application fee the platform keeps.
    dependencies = [('models', '0010_indicator_rollup')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PayoutAccount',
            fields=[
                ('org_id', fields.BigIntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('provider', fields.CharField(default='stripe', max_length=16)),
                ('account_ref', fields.CharField(max_length=255)),
                ('set_by_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'deals_payout_account', 'app': 'models', 'pk_attr': 'org_id', 'table_description': "An organisation's account at the payment provider that receives its sales (a Stripe connected account)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Payment',
            name='application_fee_fen',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Payment',
            name='payout_destination',
            field=fields.CharField(null=True, max_length=255),
        ),
    ]
