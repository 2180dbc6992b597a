"""The identity and tenant context of a request.

Built by ``web.auth`` from the server-side session; the tenant comes from the identity,
never from a form field or a path the user can change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.errors import Forbidden, NotFound
from tenants.models import Role


@dataclass(frozen=True)
class Identity:
    user_id: uuid.UUID
    email: str | None
    display_name: str | None
    is_kaaw_admin: bool
    #: The tenant the user works in now (None: no tenant chosen / platform pages).
    tenant_id: uuid.UUID | None = None
    tenant_slug: str | None = None
    tenant_name: str | None = None
    role: Role | None = None
    #: A KAAW admin working inside a tenant through "act as tenant".
    acting_as: bool = False

    def has_role(self, minimum: Role) -> bool:
        if self.tenant_id is None:
            return False
        if self.acting_as and self.is_kaaw_admin:
            return True
        return self.role is not None and self.role.rank >= minimum.rank

    def require_tenant(self) -> uuid.UUID:
        if self.tenant_id is None:
            raise NotFound("Kein Mandant gewählt.")
        return self.tenant_id

    def require_role(self, minimum: Role) -> uuid.UUID:
        tenant_id = self.require_tenant()
        if not self.has_role(minimum):
            raise Forbidden("Dafür fehlt Ihnen die Berechtigung.")
        return tenant_id

    def require_kaaw_admin(self) -> None:
        if not self.is_kaaw_admin:
            raise Forbidden("Nur für KAAW-Administration.")
