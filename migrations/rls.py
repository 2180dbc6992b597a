"""Helpers for migrations: row-level security and grants.

Every tenant table calls ``enable_rls(table)`` in the migration that creates it. The policy
compares ``tenant_id`` with the transaction-local setting ``app.tenant_id``; with no tenant
set, ``NULLIF(…, '')::uuid`` is NULL and the comparison is never true: the table reads as
empty and rejects writes (fail closed). FORCE makes the policy bind the table owner too.
"""

from __future__ import annotations

from alembic import op

TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
USER_PREDICATE = "user_id = NULLIF(current_setting('app.user_id', true), '')::uuid"


def enable_rls(table: str, *, using: str = TENANT_PREDICATE, check: str = TENANT_PREDICATE) -> None:
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "{table}" USING ({using}) WITH CHECK ({check})')


def disable_rls(table: str) -> None:
    op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
