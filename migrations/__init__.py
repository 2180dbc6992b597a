"""Alembic migrations (async). Row-level-security policies are created here."""
