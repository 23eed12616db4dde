from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint
from services.core.migrations._shapes import add_fields, big_id, create_model, created_at, foreign_key, moment

class Migration(migrations.Migration):
    # Demands worth matching (problem, requirements, 揭榜挂帅 terms), the broker workbench (assignment, close
    # reasons, append-only notes, reminders), demand revisions, notifications and ranking models.
    dependencies = [('models', '0007_vouchers')]

    initial = False

    operations = [
        create_model(
            'DemandRevision', 'demand_revision',
            [
                big_id(),
                foreign_key('demand', 'Demand', 'revisions', OnDelete.CASCADE),
                ('actor_id', fields.BigIntField()),
                ('changes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                created_at(),
            ],
            indexes=[Index(fields=['demand_id', 'id'])],
            description='One refinement of a demand (by its organisation or its broker): which fields changed, from what to what.',
        ),
        create_model(
            'MatchNote', 'demand_match_note',
            [
                big_id(),
                foreign_key('match', 'Match', 'notes', OnDelete.CASCADE),
                ('author_id', fields.BigIntField()),
                ('visibility', fields.CharField(max_length=16)),
                ('body', fields.TextField(unique=False)),
                created_at(),
            ],
            constraints=[CheckConstraint(check="visibility IN ('internal','shared')", name='demand_match_note_visibility_valid')],
            indexes=[Index(fields=['match_id', 'id'])],
            description='An append-only note on a match: internal (brokers and admins) or shared with the buyer.',
        ),
        create_model(
            'Notification', 'notifications_notification',
            [
                big_id(),
                ('user_id', fields.BigIntField()),
                ('kind', fields.CharField(max_length=32)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('link', fields.CharField(default='', max_length=300)),
                created_at(),
                moment('read_at', null=True),
            ],
            indexes=[Index(fields=['user_id', 'id'])],
        ),
        create_model(
            'RankingModel', 'demand_ranking_model',
            [
                big_id(),
                ('algorithm', fields.CharField(max_length=32)),
                ('metrics', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('adopted', fields.BooleanField(default=False)),
                ('payload', fields.TextField(unique=False)),
                created_at(),
            ],
            description='A trained match-ranking model with its hold-out metrics; at most one is adopted at a time.',
        ),
        *add_fields(
            'Demand',
            moment('assigned_at', null=True),
            ('award_fen', fields.BigIntField(null=True)),
            ('broker_id', fields.BigIntField(null=True)),
            ('confidentiality', fields.CharField(default='public', max_length=16)),
            ('hide_org', fields.BooleanField(default=False)),
            ('ip_terms', fields.CharField(null=True, max_length=16)),
            ('problem', fields.TextField(default='', unique=False)),
            ('requirements', fields.TextField(default='', unique=False)),
            ('tried', fields.TextField(default='', unique=False)),
        ),
        *add_fields(
            'Match',
            ('close_reason', fields.CharField(null=True, max_length=16)),
            ('features', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            moment('interest_at', null=True),
            moment('last_activity_at', null=True),
            ('origin', fields.CharField(default='matcher', max_length=16)),
            moment('reminded_at', null=True),
        ),
    ]
