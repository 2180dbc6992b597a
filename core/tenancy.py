"""The application-level tenant filter: the layer in front of row-level security.

Two things belong to it:

* ``owned_by(Model, tenant_id)`` – the explicit filter repositories put in their queries;
* an ORM event that adds ``tenant_id = <bound tenant>`` to every ORM SELECT of a
  ``TenantScoped`` entity in a tenant-bound session (``with_loader_criteria``).

``KOMMPASS_APP_TENANT_FILTER=0`` switches both off. The test suite runs once more that way
(``scripts/test`` second pass), so that row-level security alone must keep tenants apart.
Never switch it off in production.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from sqlalchemy import ColumnElement, true

APP_TENANT_FILTER = os.environ.get("KOMMPASS_APP_TENANT_FILTER", "1") != "0"


def owned_by(model: Any, tenant_id: uuid.UUID) -> ColumnElement[bool]:
    """``model.tenant_id == tenant_id`` (or TRUE when the app-level filter is switched off)."""
    if not APP_TENANT_FILTER:
        return true()
    column = model.tenant_id if hasattr(model, "tenant_id") else model.c.tenant_id
    result: ColumnElement[bool] = column == tenant_id
    return result
