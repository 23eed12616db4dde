from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from services.core.migrations._shapes import create_model, created_at

class Migration(migrations.Migration):
    # core_job_file holds an import's uploaded bytes next to its job (one row per job, deleted with it).
    dependencies = [('models', '0002_booking_exclusion')]

    initial = False

    operations = [
        create_model(
            'JobFile', 'core_job_file',
            [
                ('job', fields.OneToOneField('models.Job', source_field='job_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='file', on_delete=OnDelete.CASCADE)),
                ('filename', fields.TextField(unique=False)),
                ('content', fields.BinaryField()),
                created_at(),
            ],
            pk_attr='job_id',
            description='The uploaded file of an import job: written with the job, read by the worker, emptied when done.',
        ),
        ops.AlterModelOptions(
            name='JobFile',
            options={'table': 'core_job_file', 'app': 'models', 'pk_attr': 'job_id', 'table_description': 'The uploaded file of an import job: written with the job, read by the worker, emptied when done.'},
        ),
        ops.AlterModelOptions(
            name='ExpertContact',
            options={'table': 'catalog_expert_contact', 'app': 'models', 'pk_attr': 'listing_id', 'table_description': 'Private contact of an expert, kept apart from the listing so it can never be serialised with it.'},
        ),
    ]
