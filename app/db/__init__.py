"""The database: where it is (a URL or the embedded server), the pool, and the schema migrations."""
