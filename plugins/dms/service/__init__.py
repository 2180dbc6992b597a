"""The DMS rollout service: products, e-file types, rollout items, document volumes, the goal.

Takes an ``AsyncSession`` and the tenant explicitly and filters by tenant in every query
(second layer besides RLS). Raises ``core.errors``: NotFound for another tenant's ids,
Conflict (with ``current``) for stale versions, ValidationFailed with one FieldError per
problem. Every change is written to the audit trail in the same transaction.

One class for callers, assembled from one module per part (``catalogue``, ``rollouts``,
``volumes``) on a common ``base``.
"""

from __future__ import annotations

from plugins.dms.service.base import DEFAULT_FILE_TYPES, ServiceBase, msgspec_dict, share, unit_label
from plugins.dms.service.catalogue import CatalogueMixin
from plugins.dms.service.rollouts import RolloutsMixin
from plugins.dms.service.volumes import VolumesMixin


class DmsService(RolloutsMixin, VolumesMixin, CatalogueMixin, ServiceBase):
    """Everything the DMS plugin does with a tenant's data."""


__all__ = ["DEFAULT_FILE_TYPES", "DmsService", "msgspec_dict", "share", "unit_label"]
