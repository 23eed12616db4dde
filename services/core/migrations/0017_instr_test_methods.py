from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from services.core.migrations._shapes import create_model

class Migration(migrations.Migration):
    # 送样检测 catalogue of methods per instrument or agency (issue 11).
    dependencies = [('models', '0016_demand_pending_edit')]

    initial = False

    operations = [
        create_model(
            'TestMethod', 'testing_method',
            [
                ('listing_id', fields.BigIntField()),
                ('org_id', fields.BigIntField()),
                ('test_item', fields.CharField(max_length=200)),
                ('standard', fields.CharField(null=True, max_length=100)),
                ('accreditation', fields.CharField(default='none', max_length=16)),
                ('turnaround_days', fields.IntField()),
                ('price_fen', fields.BigIntField()),
                ('unit', fields.CharField(default='sample', max_length=16)),
                ('active', fields.BooleanField(default=True)),
            ],
            stamped=True,
            indexes=[Index(fields=['listing_id', 'active'])],
        ),
        ops.RunSQL(
            [
                "ALTER TABLE testing_method ADD CONSTRAINT testing_method_terms_valid CHECK (price_fen > 0 "
                "AND turnaround_days BETWEEN 1 AND 365 AND accreditation IN ('none','cma','cnas','cma_cnas') "
                "AND unit IN ('sample','item','hour'))",
            ],
            reverse_sql=["ALTER TABLE testing_method DROP CONSTRAINT IF EXISTS testing_method_terms_valid"],
        ),
    ]
