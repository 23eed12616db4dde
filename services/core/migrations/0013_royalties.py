from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    # Royalties (提成): a contract's royalty term, and the licensee's statements per period.
    dependencies = [("models", "0012_password_reset")]

    initial = False

    operations = [
        ops.AddField(model_name="Contract", name="royalty_bp", field=fields.IntField(null=True)),
        ops.AddField(
            model_name="Contract", name="royalty_period", field=fields.CharField(null=True, max_length=8)
        ),
        ops.AddField(model_name="Contract", name="royalty_minimum_fen", field=fields.BigIntField(null=True)),
        ops.CreateModel(
            name="RoyaltyStatement",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "contract",
                    fields.ForeignKeyField(
                        "models.Contract",
                        source_field="contract_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="royalty_statements",
                        on_delete=fields.RESTRICT,
                    ),
                ),
                ("period_start", fields.DateField()),
                ("period_end", fields.DateField()),
                ("sales_fen", fields.BigIntField()),
                ("due_fen", fields.BigIntField()),
                ("currency", fields.CharField(max_length=3)),
                ("milestone_id", fields.BigIntField(null=True, unique=True)),
                ("filed_by_id", fields.BigIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "deals_royalty_statement",
                "app": "models",
                "unique_together": (("contract_id", "period_start"),),
                "pk_attr": "id",
                "table_description": "The licensee's reported sales for one period, and the royalty due as a payable milestone.",
            },
            bases=["Model"],
        ),
        # CreateModel does not create CHECK constraints: they are added here explicitly.
        ops.RunSQL(
            [
                "ALTER TABLE deals_contract ADD CONSTRAINT deals_contract_royalty_valid CHECK ("
                "(royalty_bp IS NULL AND royalty_period IS NULL AND royalty_minimum_fen IS NULL) OR "
                "(royalty_bp BETWEEN 1 AND 10000 AND royalty_period IN ('quarter','year') "
                "AND (royalty_minimum_fen IS NULL OR royalty_minimum_fen >= 0)))",
                "ALTER TABLE deals_royalty_statement ADD CONSTRAINT deals_royalty_amounts_valid "
                "CHECK (sales_fen >= 0 AND due_fen >= 0 AND period_end >= period_start)",
            ],
            reverse_sql=[
                "ALTER TABLE deals_royalty_statement DROP CONSTRAINT IF EXISTS deals_royalty_amounts_valid",
                "ALTER TABLE deals_contract DROP CONSTRAINT IF EXISTS deals_contract_royalty_valid",
            ],
        ),
    ]
