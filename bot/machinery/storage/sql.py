"""SQL that must read the same on PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_duplicates(session: AsyncSession, model, values: dict, unique: list[str]):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id-or-key, on PostgreSQL and SQLite."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    first_key = model.__table__.primary_key.columns.values()[0]
    return (
        dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=unique).returning(first_key)
    )
