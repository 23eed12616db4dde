from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from services.core.migrations._shapes import add_fields, create_model, created_at

class Migration(migrations.Migration):
    # Payouts through Connect destination charges: an organisation's payout account, and per payment the
    # destination and the application fee the platform keeps.
    dependencies = [('models', '0010_indicator_rollup')]

    initial = False

    operations = [
        create_model(
            'PayoutAccount', 'deals_payout_account',
            [
                ('org_id', fields.BigIntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('provider', fields.CharField(default='stripe', max_length=16)),
                ('account_ref', fields.CharField(max_length=255)),
                ('set_by_id', fields.BigIntField()),
                created_at(),
            ],
            pk_attr='org_id',
            description="An organisation's account at the payment provider that receives its sales (a Stripe connected account).",
        ),
        *add_fields(
            'Payment',
            ('application_fee_fen', fields.BigIntField(null=True)),
            ('payout_destination', fields.CharField(null=True, max_length=255)),
        ),
    ]
