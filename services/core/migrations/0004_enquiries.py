from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint
from services.core.migrations._shapes import add_checks, create_model, foreign_key, moment


class Migration(migrations.Migration):
    # Enquiries to experts go through the platform (PIPL Art. 23): the expert's contact is never shown,
    # only shared in a reply when the expert consented. Rows go with the expert profile on erasure.
    dependencies = [('models', '0003_import_files')]

    initial = False

    operations = [
        create_model(
            'Enquiry', 'catalog_enquiry',
            [
                foreign_key('listing', 'Listing', 'enquiries', OnDelete.CASCADE),
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
                moment('replied_at', null=True),
            ],
            stamped=True,
            indexes=[Index(fields=['expert_org_id', 'id']), Index(fields=['sender_id', 'id'])],
            description="A question to an expert relayed by the platform; the expert's contact is shared only with consent.",
        ),
        *add_checks(
            'Enquiry',
            ("status IN ('open','replied')", 'catalog_enquiry_status_valid'),
        ),
    ]
