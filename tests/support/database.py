"""What the database itself holds, read past the ORM: indexes, for the migration tests."""

from tortoise import connections


async def index_columns(table: str, dialect: str) -> set[tuple[str, ...]]:
    """The column lists of the table's indexes (unique constraints included)."""
    connection = connections.get("default")
    if dialect == "sqlite":
        indexes = await connection.execute_query_dict(f'PRAGMA index_list("{table}")')
        found = set()
        for index in indexes:
            columns = await connection.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
            found.add(tuple(c["name"] for c in sorted(columns, key=lambda c: c["seqno"])))
        return found
    rows = await connection.execute_query_dict(
        "SELECT array_agg(a.attname ORDER BY k.n) AS columns FROM pg_index i"
        " JOIN pg_class t ON t.oid = i.indrelid"
        " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
        " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
        " WHERE t.relname = $1 GROUP BY i.indexrelid",
        [table],
    )
    return {tuple(row["columns"]) for row in rows}
