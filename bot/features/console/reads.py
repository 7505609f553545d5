"""Running the dashboard's read-only queries together.

On PostgreSQL the heavy queries (the three report breakdowns) each get a connection of their
own from the pool, so they run at once (over a year of an organisation: about twice as fast as
one after another, and faster than one GROUPING SETS query), and each query is planned for its
own values (see below). SQLite has one connection's worth of work to give: there they run in turn on the
caller's transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from sqlalchemy import Row, Select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.machinery.storage.repos import Tx

# asyncpg prepares statements, and after five runs PostgreSQL may switch a prepared statement
# to a generic plan made without knowing the date range or the teams: it measured 10-20x slower
# (bench/dashboard.py). SET LOCAL: for this transaction only.
CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


async def run_all(tx: Tx, heavy: Mapping[str, Select], light: Mapping[str, Select]) -> dict[str, Sequence[Row]]:
    """Every query's rows by name. On PostgreSQL each ``heavy`` query runs on a connection of
    its own while the ``light`` ones run in turn on the caller's transaction, all at once."""
    # Plain Core execution on the connection: these are column reads, and the ORM's result
    # machinery cost more than the rows themselves.
    if tx.session.bind.dialect.name != "postgresql":
        connection = await tx.session.connection()
        return {name: (await connection.execute(query)).all() for name, query in {**heavy, **light}.items()}

    async def alone(query: Select) -> Sequence[Row]:
        async with AsyncSession(tx.session.bind) as session, session.begin():
            connection = await session.connection()
            await connection.execute(CUSTOM_PLANS)
            return (await connection.execute(query)).all()

    async def in_turn() -> list[Sequence[Row]]:
        connection = await tx.session.connection()
        await connection.execute(CUSTOM_PLANS)
        return [(await connection.execute(query)).all() for query in light.values()]

    *heavy_rows, light_rows = await asyncio.gather(*(alone(q) for q in heavy.values()), in_turn())
    return {**dict(zip(heavy, heavy_rows, strict=True)), **dict(zip(light, light_rows, strict=True))}
