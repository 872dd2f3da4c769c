"""The migrations and the models agree: no pending change, and every field has its column."""

from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.database import APP_LABEL, tortoise_config


async def columns_of(table: str, dialect: str) -> set[str]:
    connection = connections.get("default")
    if dialect == "sqlite":
        rows = await connection.execute_query_dict(f'PRAGMA table_info("{table}")')
        return {row["name"] for row in rows}
    rows = await connection.execute_query_dict(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1", [table]
    )
    return {row["column_name"] for row in rows}


async def test_every_model_field_has_a_column_in_the_migrated_database(db: str) -> None:
    dialect = "sqlite" if db.startswith("sqlite") else "postgres"
    assert Tortoise.apps is not None
    for model in Tortoise.apps[APP_LABEL].values():
        expected = set(model._meta.fields_db_projection.values())
        missing = expected - await columns_of(model._meta.db_table, dialect)
        assert not missing, f"{model.__name__}: no column for {sorted(missing)}"


async def test_the_models_have_no_change_that_lacks_a_migration(tmp_path: object) -> None:
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as context:
        await context.init(config=config)
        assert context.apps is not None
        detector = MigrationAutodetector(context.apps, config["apps"])
        writers = await detector.changes()
    assert [w.name for w in writers] == [], "run `tortoise makemigrations` and commit the file"
