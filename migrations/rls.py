"""Helpers for migrations: row-level security and grants.

Every tenant table calls ``enable_rls(table)`` in the migration that creates it. The policy
compares ``tenant_id`` with the transaction-local setting ``app.tenant_id``; with no tenant
set, ``NULLIF(…, '')::uuid`` is NULL and the comparison is never true: the table reads as
empty and rejects writes (fail closed). FORCE makes the policy bind the table owner too.
"""

from __future__ import annotations

from collections.abc import Iterable

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


# --- data revisions (see core.revisions) -------------------------------------------------------
#: Tenant tables whose writes do not change what pages show: the audit trail (also written for
#: refused requests) and the assistant's chat history.
UNTRACKED_TENANT_TABLES = frozenset({"audit_events", "assistant_conversations", "assistant_messages"})

#: The counter table and the trigger function. Each area's migration that tracks tables runs
#: this first (idempotent), so no area has to depend on another branch (alembic would merge
#: the branches of a revision that depends on several heads).
_REVISION_TABLE = """
CREATE TABLE IF NOT EXISTS data_revisions (
    scope_id uuid NOT NULL,
    revision bigint NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_data_revisions PRIMARY KEY (scope_id)
)
"""
_REVISION_FUNCTION = """
CREATE OR REPLACE FUNCTION kommpass_bump_revision() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
  scope uuid;
  seen text := coalesce(current_setting('kommpass.revised', true), '');
BEGIN
  IF TG_ARGV[0] = 'platform' THEN
    scope := '00000000-0000-0000-0000-000000000000';
  ELSIF TG_ARGV[0] = 'id' THEN
    IF TG_OP = 'DELETE' THEN scope := OLD.id; ELSE scope := NEW.id; END IF;
  ELSE
    IF TG_OP = 'DELETE' THEN scope := OLD.tenant_id; ELSE scope := NEW.tenant_id; END IF;
  END IF;
  IF position(scope::text IN seen) > 0 THEN
    RETURN NULL;  -- this transaction advanced the scope already
  END IF;
  INSERT INTO public.data_revisions AS r (scope_id, revision, changed_at)
  VALUES (scope, 1, now())
  ON CONFLICT (scope_id) DO UPDATE SET revision = r.revision + 1, changed_at = now();
  PERFORM set_config('kommpass.revised', seen || scope::text || ' ', true);
  RETURN NULL;
END
$fn$
"""


def ensure_revision_tracking() -> None:
    """Create ``data_revisions`` and ``kommpass_bump_revision()`` unless they exist.

    The application role may read the counters but not write them: only the trigger
    function (SECURITY DEFINER, owned by the migration role) does, whichever tenant is bound.
    """
    op.execute(_REVISION_TABLE)
    op.execute(_REVISION_FUNCTION)
    role = str(op.get_context().config.attributes.get("app_role", "kommpass_app"))  # type: ignore[union-attr]
    op.execute(
        f"""
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') AND current_user <> '{role}' THEN
            EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON data_revisions FROM "{role}"';
            EXECUTE 'GRANT SELECT ON data_revisions TO "{role}"';
          END IF;
        END $$;
        """
    )


def track_revisions(table: str, *, scope: str = "tenant_id") -> None:
    """Count committed writes to ``table`` in ``data_revisions`` (one step per transaction).

    ``scope`` names the column holding the tenant (``tenant_id``; ``id`` for ``tenants``) or
    is ``"platform"`` for reference data shared by all tenants (the catalogue). The trigger is
    deferred to the commit, so the counter row is locked only while a transaction commits,
    never while it still waits for other locks (no deadlocks with row locks). Call
    ``ensure_revision_tracking()`` first in the same migration.
    """
    op.execute(
        f'CREATE CONSTRAINT TRIGGER kommpass_revision AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kommpass_bump_revision('{scope}')"
    )


def upgrade_revision_tracking(tables: Iterable[tuple[str, str]]) -> None:
    """The whole upgrade of an area's tracking migration: ``(table, scope)`` pairs."""
    ensure_revision_tracking()
    for table, scope in tables:
        track_revisions(table, scope=scope)


def downgrade_revision_tracking(tables: Iterable[tuple[str, str]]) -> None:
    """Downgrade of ``upgrade_revision_tracking``; the last area to go drops the table and
    the function."""
    for table, _scope in tables:
        op.execute(f'DROP TRIGGER IF EXISTS kommpass_revision ON "{table}"')
    op.execute(
        """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'kommpass_revision') THEN
            DROP FUNCTION IF EXISTS kommpass_bump_revision();
            DROP TABLE IF EXISTS data_revisions;
          END IF;
        END $$;
        """
    )
