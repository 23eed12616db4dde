"""Builders for the operations the migrations repeat; each returns exactly what the generated code spelled out.

The loader skips modules whose name starts with "_", so this is not a migration. Changing a builder changes
every migration that uses it: the schema they produce must stay identical (a pg_dump --schema-only before
and after must not differ), and tests/unit/test_migrations.py checks that they still match the models.
"""

from typing import Any

from tortoise import fields
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

Column = tuple[str, fields.Field[Any]]


def created_at() -> Column:
    """The insert timestamp."""
    return ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True))


def updated_at() -> Column:
    """The last-update timestamp."""
    return ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False))


def big_id() -> Column:
    """A generated bigint primary key."""
    return ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True))


def moment(name: str, *, null: bool = False) -> Column:
    """A plain timestamp column (no auto value)."""
    if null:
        return (name, fields.DatetimeField(null=True, auto_now=False, auto_now_add=False))
    return (name, fields.DatetimeField(auto_now=False, auto_now_add=False))


def foreign_key(name: str, model: str, related_name: str, on_delete: OnDelete, *, null: bool = False) -> Column:
    """A foreign key `<name>_id` to `models.<model>.id`."""
    options: dict[str, Any] = {"null": True} if null else {}
    return (
        name,
        fields.ForeignKeyField(
            f"models.{model}",
            source_field=f"{name}_id",
            **options,
            db_constraint=True,
            to_field="id",
            related_name=related_name,
            on_delete=on_delete,
        ),
    )


def create_model(
    name: str,
    table: str,
    columns: list[Column],
    *,
    stamped: bool = False,
    description: str | None = None,
    pk_attr: str = "id",
    **options: Any,
) -> ops.CreateModel:
    """A table; `stamped` models (TimestampMixin) start with created_at, updated_at and a bigint id."""
    if stamped:
        columns = [created_at(), updated_at(), big_id(), *columns]
    meta: dict[str, Any] = {"table": table, "app": "models", **options, "pk_attr": pk_attr}
    if description is not None:
        meta["table_description"] = description
    return ops.CreateModel(
        name=name,
        fields=columns,
        options=meta,
        bases=["TimestampMixin", "Model"] if stamped else ["Model"],
    )


def add_fields(model_name: str, *columns: Column) -> list[ops.AddField]:
    """One AddField per column, in order."""
    return [ops.AddField(model_name=model_name, name=name, field=field) for name, field in columns]


def add_checks(model_name: str, *checks: tuple[str, str]) -> list[ops.AddConstraint]:
    """One CHECK constraint per (condition, name), in order."""
    return [
        ops.AddConstraint(model_name=model_name, constraint=CheckConstraint(check=check, name=name))
        for check, name in checks
    ]
