from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from services.core.migrations._shapes import big_id, create_model

class Migration(migrations.Migration):
    # The turnover indicator reads a daily roll-up kept from contract.changed events (issue 8); filled once here
    # from the contracts already registered (the same query as `techmarket indicators rebuild`).
    dependencies = [('models', '0009_test_requests')]

    initial = False

    operations = [
        create_model(
            'ContractContribution', 'indicators_contract_state',
            [
                ('contract_id', fields.BigIntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('contract_type', fields.CharField(max_length=16)),
                ('field', fields.CharField(max_length=32)),
                ('seller_region', fields.CharField(max_length=6)),
                ('buyer_region', fields.CharField(max_length=6)),
                ('origin', fields.CharField(max_length=12)),
                ('basis', fields.CharField(max_length=12)),
                ('total_fen', fields.BigIntField()),
                ('tech_fen', fields.BigIntField()),
            ],
            pk_attr='contract_id',
            description='What the roll-up currently holds for one contract, so a change replaces it instead of adding twice.',
        ),
        create_model(
            'TurnoverDaily', 'indicators_turnover_daily',
            [
                big_id(),
                ('day', fields.DateField()),
                ('contract_type', fields.CharField(max_length=16)),
                ('field', fields.CharField(max_length=32)),
                ('seller_region', fields.CharField(max_length=6)),
                ('buyer_region', fields.CharField(max_length=6)),
                ('origin', fields.CharField(max_length=12)),
                ('basis', fields.CharField(max_length=12)),
                ('total_fen', fields.BigIntField(default=0)),
                ('tech_fen', fields.BigIntField(default=0)),
                ('count', fields.IntField(default=0)),
            ],
            unique_together=(('day', 'contract_type', 'field', 'seller_region', 'buyer_region', 'origin', 'basis'),),
            description='Registered contracts summed per Beijing registration day and grouping keys, in CNY fen.',
        ),
        ops.RunSQL(
            [
                "CREATE TABLE indicators_turnover_slice (day date NOT NULL, dimension varchar(16) NOT NULL, "
                "key varchar(32) NOT NULL, origin varchar(12) NOT NULL, total_fen bigint NOT NULL, "
                "tech_fen bigint NOT NULL, count int NOT NULL, PRIMARY KEY (dimension, day, key, origin))",
                "INSERT INTO indicators_contract_state SELECT id, (registered_at AT TIME ZONE 'Asia/Shanghai')::date, "
                "COALESCE(legacy_type, contract_type), field, seller_region, buyer_region, "
                "CASE WHEN match_id IS NULL THEN 'direct' ELSE 'marketplace' END, "
                "CASE WHEN currency = 'cny' THEN 'cny' ELSE 'converted' END, total_cny_fen, tech_cny_fen "
                "FROM deals_contract WHERE status = 'registered' AND total_cny_fen IS NOT NULL",
                "INSERT INTO indicators_turnover_daily (day, contract_type, field, seller_region, buyer_region, origin, "
                "basis, total_fen, tech_fen, count) SELECT day, contract_type, field, seller_region, buyer_region, "
                "origin, basis, SUM(total_fen), SUM(tech_fen), COUNT(*) FROM indicators_contract_state "
                "GROUP BY day, contract_type, field, seller_region, buyer_region, origin, basis",
                "INSERT INTO indicators_turnover_slice SELECT day, d.dimension, CASE d.dimension "
                "WHEN 'all' THEN '' WHEN 'contract_type' THEN contract_type WHEN 'field' THEN field "
                "WHEN 'region' THEN seller_region ELSE buyer_region END, origin, SUM(total_fen), SUM(tech_fen), COUNT(*) "
                "FROM indicators_contract_state CROSS JOIN (VALUES ('all'), ('contract_type'), ('field'), ('region'), "
                "('buyer_region')) AS d(dimension) GROUP BY 1, 2, 3, 4",
            ],
            reverse_sql=[
                "DROP TABLE IF EXISTS indicators_turnover_slice",
                "TRUNCATE indicators_contract_state, indicators_turnover_daily",
            ],
        ),
    ]
