"""The REST API: parameters (pure) → stats (SQL) → routes (JSON shapes), plus auth, CORS, OpenAPI."""
