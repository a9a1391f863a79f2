"""Looking for what a deletion should have removed: in every table the catalog lists, and in
every file of a folder. Tables are enumerated, not named, so a table added later is searched too."""

from __future__ import annotations

from pathlib import Path

import asyncpg

# Schemas of the system and of TimescaleDB's catalog; chunks (in `_timescaledb_internal`) are
# searched by their id columns, and by text through their hypertable. Temporary tables are other
# connections' (the writer's staging table, emptied at each commit) and cannot be read.
_SYSTEM = (
    "n.nspname IN ('pg_catalog', 'information_schema') OR n.nspname LIKE 'pg\\_toast%'"
    " OR c.relpersistence = 't'"
)
_TIMESCALE = "n.nspname LIKE '\\_timescaledb%' OR n.nspname LIKE 'timescaledb\\_%'"


def _name(schema: str, table: str) -> str:
    return '"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""'))


async def id_traces(db: asyncpg.Connection, column: str, ids: list[int]) -> list[str]:
    """Tables (chunks and compressed chunks included) with a row whose `column` is one of `ids`."""
    columns = await db.fetch(
        f"""
        SELECT n.nspname, c.relname FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attname = $1 AND a.atttypid IN ('int8'::regtype, 'int4'::regtype)
          AND NOT ({_SYSTEM})
        """,
        column,
    )
    found = []
    for row in columns:
        table = _name(row["nspname"], row["relname"])
        count = await db.fetchval(f'SELECT count(*) FROM {table} WHERE "{column}" = ANY($1::bigint[])', ids)
        if count:
            found.append(f"{table}.{column}: {count} rows")
    return found


async def text_traces(db: asyncpg.Connection, texts: list[str], *, skip: tuple[str, ...] = ()) -> list[str]:
    """Tables and views outside the system and TimescaleDB schemas with a row whose text holds
    one of `texts`."""
    tables = await db.fetch(
        f"""
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm', 'v') AND NOT ({_SYSTEM}) AND NOT ({_TIMESCALE})
        """
    )
    patterns = [
        "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for text in texts
    ]
    found = []
    for row in tables:
        if row["relname"] in skip:
            continue
        table = _name(row["nspname"], row["relname"])
        count = await db.fetchval(
            f"SELECT count(*) FROM {table} AS t WHERE t::text LIKE ANY($1::text[])", patterns
        )
        if count:
            found.append(f"{table}: {count} rows")
    return found


def file_traces(folder: Path, texts: list[str]) -> list[str]:
    """Files under `folder` that hold one of `texts`."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            found += [f"{path}: {text!r}" for text in texts if text.encode() in content]
    return found
