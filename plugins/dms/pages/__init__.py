"""HTML pages of the DMS plugin under ``/dms`` (German UI, htmx, KERN).

Handlers stay thin: parse the form, call one service method, render or redirect. A failed
form comes back with the values and one message per field (422); a stale edit comes back
with the current state (409); success redirects (303).
"""

from __future__ import annotations

from typing import Any

from plugins.dms.pages.catalogue import (
    catalogue,
    catalogue_create,
    catalogue_delete,
    catalogue_edit,
    catalogue_update,
)
from plugins.dms.pages.overview import export_xlsx, import_form, import_upload, index, network
from plugins.dms.pages.rollouts import (
    rollout_create,
    rollout_delete,
    rollout_detail,
    rollout_edit,
    rollout_new,
    rollout_update,
    rollouts,
)
from plugins.dms.pages.volumes import (
    goal_update,
    volume_create,
    volume_delete,
    volume_edit,
    volume_update,
    volumes,
)

ROUTES: list[Any] = [
    index,
    rollouts,
    rollout_new,
    rollout_create,
    rollout_detail,
    rollout_edit,
    rollout_update,
    rollout_delete,
    volumes,
    volume_create,
    volume_edit,
    volume_update,
    volume_delete,
    goal_update,
    export_xlsx,
    import_form,
    import_upload,
    network,
    catalogue,
    catalogue_create,
    catalogue_edit,
    catalogue_update,
    catalogue_delete,
]
