"""Request context: a user's role in a tenant and the tenant's plugin switches in one call.

Every authenticated request needs both. ``memberships`` and ``tenant_plugins`` are under
row-level security, so the tenant must be bound first. The function binds it with
``set_config(..., true)`` and reads both tables in the caller's transaction, as the caller
(SECURITY INVOKER: the policies apply as to any query of the app role). Called outside an
explicit transaction the binding ends with the statement: one round trip instead of
BEGIN, bind, read, COMMIT.

Revision ID: 0012_membership_context
Revises: 0011_identity_revisions
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_membership_context"
down_revision: str | Sequence[str] | None = "0011_identity_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION kommpass_membership_context(p_user uuid, p_tenant uuid)
        RETURNS TABLE (role text, plugins_on text[], plugins_off text[])
        LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public AS $fn$
        BEGIN
          PERFORM set_config('app.user_id', p_user::text, true),
                  set_config('app.tenant_id', p_tenant::text, true);
          RETURN QUERY SELECT
            (SELECT m.role::text FROM memberships m WHERE m.tenant_id = p_tenant AND m.user_id = p_user),
            (SELECT array_agg(t.plugin_name::text) FILTER (WHERE t.enabled)
               FROM tenant_plugins t WHERE t.tenant_id = p_tenant),
            (SELECT array_agg(t.plugin_name::text) FILTER (WHERE NOT t.enabled)
               FROM tenant_plugins t WHERE t.tenant_id = p_tenant);
        END
        $fn$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS kommpass_membership_context(uuid, uuid)")
