"""The migrations and the models describe the same schema: `makemigrations` would have nothing to write."""

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from services.core.db import tortoise_config


async def test_the_migrations_build_exactly_the_tables_the_models_declare():
    # Given the models and the migration files (no database is reached: only the model registry is built)
    config = tortoise_config("postgres://unused:unused@127.0.0.1:1/unused")
    opened = not Tortoise._inited
    if opened:
        await Tortoise.init(config=config)
    try:
        # When the autodetector replays every migration and compares the result with the models
        changes = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
    finally:
        if opened:
            await Tortoise.close_connections()
    # Then nothing is missing: a CHECK or column added by hand-written SQL would show up here
    assert [
        (type(operation).__name__, getattr(operation, "model_name", getattr(operation, "name", "")))
        for writer in changes
        for operation in writer.operations
    ] == []
