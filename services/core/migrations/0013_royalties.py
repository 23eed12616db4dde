from tortoise import migrations
from tortoise import fields
from tortoise.fields.base import OnDelete
from services.core.migrations._shapes import add_checks, add_fields, big_id, create_model, created_at, foreign_key


class Migration(migrations.Migration):
    # Royalties (提成): a contract's royalty term, and the licensee's statements per period.
    dependencies = [("models", "0012_password_reset")]

    initial = False

    operations = [
        *add_fields(
            'Contract',
            ('royalty_bp', fields.IntField(null=True)),
            ('royalty_period', fields.CharField(null=True, max_length=8)),
            ('royalty_minimum_fen', fields.BigIntField(null=True)),
        ),
        create_model(
            'RoyaltyStatement', 'deals_royalty_statement',
            [
                big_id(),
                foreign_key('contract', 'Contract', 'royalty_statements', OnDelete.RESTRICT),
                ("period_start", fields.DateField()),
                ("period_end", fields.DateField()),
                ("sales_fen", fields.BigIntField()),
                ("due_fen", fields.BigIntField()),
                ("currency", fields.CharField(max_length=3)),
                ("milestone_id", fields.BigIntField(null=True, unique=True)),
                ("filed_by_id", fields.BigIntField()),
                created_at(),
            ],
            unique_together=(("contract_id", "period_start"),),
            description="The licensee's reported sales for one period, and the royalty due as a payable milestone.",
        ),
        *add_checks(
            'Contract',
            (
                "(royalty_bp IS NULL AND royalty_period IS NULL AND royalty_minimum_fen IS NULL) OR "
                "(royalty_bp BETWEEN 1 AND 10000 AND royalty_period IN ('quarter','year') "
                "AND (royalty_minimum_fen IS NULL OR royalty_minimum_fen >= 0))",
                'deals_contract_royalty_valid',
            ),
        ),
        *add_checks(
            'RoyaltyStatement',
            ('sales_fen >= 0 AND due_fen >= 0 AND period_end >= period_start', 'deals_royalty_amounts_valid'),
        ),
    ]
