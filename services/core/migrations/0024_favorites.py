from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint
from services.core.migrations._shapes import big_id, create_model, created_at, foreign_key


class Migration(migrations.Migration):
    # 收藏: the listings a user saved, one row per user and listing. A favourite goes with its user or its
    # listing (an erased expert); the match card it was saved from may go while the favourite stays.
    dependencies = [('models', '0023_milestone_voucher')]

    initial = False

    operations = [
        create_model(
            'Favorite', 'favorites_favorite',
            [
                big_id(),
                foreign_key('user', 'User', 'favorites', OnDelete.CASCADE),
                foreign_key('listing', 'Listing', 'favorites', OnDelete.CASCADE),
                foreign_key('match', 'Match', 'favorites', OnDelete.SET_NULL, null=True),
                ('note', fields.CharField(default='', max_length=200)),
                created_at(),
            ],
            description='A listing a user saved, with their note and the match card it was saved from (if any).',
        ),
        ops.AddConstraint(
            model_name='Favorite',
            constraint=UniqueConstraint(fields=('user_id', 'listing_id'), name='favorites_favorite_user_listing_uniq'),
        ),
    ]
