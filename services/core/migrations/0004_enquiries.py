from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint


class Migration(migrations.Migration):
    # Enquiries to experts go through the platform (PIPL Art. 23): the expert's contact is never shown,
    # only shared in a reply when the expert consented. Rows go with the expert profile on erasure.
    dependencies = [('models', '0003_import_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Enquiry',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('listing', fields.ForeignKeyField('models.Listing', source_field='listing_id', db_constraint=True, to_field='id', related_name='enquiries', on_delete=OnDelete.CASCADE)),
                ('expert_org_id', fields.BigIntField()),
                ('sender_id', fields.BigIntField()),
                ('sender_org_id', fields.BigIntField(null=True)),
                ('subject', fields.CharField(max_length=200)),
                ('message', fields.TextField(unique=False)),
                ('contact_back', fields.CharField(default='', max_length=254)),
                ('status', fields.CharField(default='open', max_length=16)),
                ('reply', fields.TextField(null=True, unique=False)),
                ('contact_shared', fields.BooleanField(default=False)),
                ('replied_by_id', fields.BigIntField(null=True)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'catalog_enquiry', 'app': 'models', 'indexes': [Index(fields=['expert_org_id', 'id']), Index(fields=['sender_id', 'id'])], 'pk_attr': 'id', 'table_description': "A question to an expert relayed by the platform; the expert's contact is shared only with consent."},
            bases=['TimestampMixin', 'Model'],
        ),
        ops.AddConstraint(model_name='Enquiry', constraint=CheckConstraint(check="status IN ('open','replied')", name='catalog_enquiry_status_valid')),
    ]
