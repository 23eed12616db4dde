from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    # Demands worth matching (problem, requirements, 揭榜挂帅 terms), the broker workbench (assignment, close
    # reasons, append-only notes, reminders), demand revisions, notifications and ranking models.
    dependencies = [('models', '0007_vouchers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DemandRevision',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('demand', fields.ForeignKeyField('models.Demand', source_field='demand_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('actor_id', fields.BigIntField()),
                ('changes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'demand_revision', 'app': 'models', 'indexes': [Index(fields=['demand_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One refinement of a demand (by its organisation or its broker): which fields changed, from what to what.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MatchNote',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('match', fields.ForeignKeyField('models.Match', source_field='match_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('author_id', fields.BigIntField()),
                ('visibility', fields.CharField(max_length=16)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'demand_match_note', 'app': 'models', 'constraints': [CheckConstraint(check="visibility IN ('internal','shared')", name='demand_match_note_visibility_valid')], 'indexes': [Index(fields=['match_id', 'id'])], 'pk_attr': 'id', 'table_description': 'An append-only note on a match: internal (brokers and admins) or shared with the buyer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('kind', fields.CharField(max_length=32)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('link', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications_notification', 'app': 'models', 'indexes': [Index(fields=['user_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RankingModel',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('algorithm', fields.CharField(max_length=32)),
                ('metrics', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('adopted', fields.BooleanField(default=False)),
                ('payload', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'demand_ranking_model', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A trained match-ranking model with its hold-out metrics; at most one is adopted at a time.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Demand',
            name='assigned_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Demand',
            name='award_fen',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Demand',
            name='broker_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Demand',
            name='confidentiality',
            field=fields.CharField(default='public', max_length=16),
        ),
        ops.AddField(
            model_name='Demand',
            name='hide_org',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Demand',
            name='ip_terms',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Demand',
            name='problem',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Demand',
            name='requirements',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Demand',
            name='tried',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Match',
            name='close_reason',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Match',
            name='features',
            field=fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Match',
            name='interest_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Match',
            name='last_activity_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Match',
            name='origin',
            field=fields.CharField(default='matcher', max_length=16),
        ),
        ops.AddField(
            model_name='Match',
            name='reminded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
