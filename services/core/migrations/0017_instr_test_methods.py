from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    # 送样检测 catalogue of methods per instrument or agency (issue 11).
    dependencies = [('models', '0016_demand_pending_edit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TestMethod',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
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
            options={'table': 'testing_method', 'app': 'models', 'indexes': [Index(fields=['listing_id', 'active'])], 'pk_attr': 'id'},
            bases=['TimestampMixin', 'Model'],
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
