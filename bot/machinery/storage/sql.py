"""SQL that must read the same on PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy import cast, literal, or_, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_duplicates(session: AsyncSession, model, values: dict, unique: list[str]):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id-or-key, on PostgreSQL and SQLite."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    first_key = model.__table__.primary_key.columns.values()[0]
    return (
        dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=unique).returning(first_key)
    )


def lists_or_empty(column, value: str, dialect: str):
    """A JSON list column that is empty or holds ``value`` — on PostgreSQL, to narrow a read
    in SQL (``jsonb @>``). Elsewhere no narrowing (true): callers still check each row, so
    this only saves reading rows that could not match."""
    if dialect != "postgresql":
        return true()
    as_jsonb = cast(column, postgresql.JSONB)
    return or_(as_jsonb == cast(literal("[]"), postgresql.JSONB), as_jsonb.contains([value]))
