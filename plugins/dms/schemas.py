"""DTOs of the DMS plugin (msgspec structs), used by the service, the JSON API and the import."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class ProductInput(msgspec.Struct, kw_only=True):
    name: str
    vendor: str | None = None
    product_version: str | None = None
    operator: str | None = None
    notes: str | None = None
    version: int | None = None


class Product(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    vendor: str | None
    product_version: str | None
    operator: str | None
    notes: str | None
    version: int


class FileTypeInput(msgspec.Struct, kw_only=True):
    name: str
    description: str | None = None
    sort_order: int = 100
    version: int | None = None


class FileType(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    description: str | None
    sort_order: int
    version: int


class RolloutInput(msgspec.Struct, kw_only=True):
    file_type_id: uuid.UUID | None = None
    org_unit_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    designation: str | None = None
    status: str = "geplant"
    planned_on: dt.date | None = None
    introduction_on: dt.date | None = None
    live_on: dt.date | None = None
    integration: str = "fachverfahren"
    procedure_name: str | None = None
    procedure_vendor: str | None = None
    procedure_interface: str | None = None
    inbox: str | None = None
    workflow_approval: bool = False
    workflow_acknowledgement: bool = False
    workflow_cosigning: bool = False
    scanning_resiscan: bool = False
    scanning_mode: str | None = None
    archive_audit_proof: bool = False
    archive_long_term: bool = False
    users_trained: int | None = None
    measure_id: uuid.UUID | None = None
    budget_line_ids: list[uuid.UUID] = msgspec.field(default_factory=list)
    notes: str | None = None
    #: The version the edit is based on (required for updates, optimistic locking).
    version: int | None = None


class Rollout(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    file_type_id: uuid.UUID
    file_type: str
    org_unit_id: uuid.UUID
    org_unit: str
    product_id: uuid.UUID | None
    product: str | None
    designation: str | None
    status: str
    status_label: str
    planned_on: dt.date | None
    introduction_on: dt.date | None
    live_on: dt.date | None
    integration: str
    procedure_name: str | None
    procedure_vendor: str | None
    procedure_interface: str | None
    inbox: str | None
    workflow_approval: bool
    workflow_acknowledgement: bool
    workflow_cosigning: bool
    scanning_resiscan: bool
    scanning_mode: str | None
    archive_audit_proof: bool
    archive_long_term: bool
    users_trained: int | None
    measure_id: uuid.UUID | None
    budget_line_ids: list[uuid.UUID]
    notes: str | None
    version: int


class VolumeInput(msgspec.Struct, kw_only=True):
    org_unit_id: uuid.UUID | None = None
    reporting_date: dt.date | None = None
    total_count: int | None = None
    digital_count: int | None = None
    version: int | None = None


class Volume(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org_unit_id: uuid.UUID
    org_unit: str
    reporting_date: dt.date
    total_count: int
    digital_count: int
    paper_count: int
    digital_share: float | None
    version: int


class GoalInput(msgspec.Struct, kw_only=True):
    goal_share_percent: float | None = None
    goal_year: int | None = None
    version: int | None = None


class Goal(msgspec.Struct, kw_only=True):
    goal_share_percent: float
    goal_year: int
    version: int


class TrendPoint(msgspec.Struct, kw_only=True):
    reporting_date: dt.date
    total_count: int
    digital_count: int
    digital_share: float | None


class Indicator(msgspec.Struct, kw_only=True):
    goal: Goal
    trend: list[TrendPoint]
    latest_share: float | None
    goal_reached: bool


class ImportResult(msgspec.Struct, kw_only=True):
    dry_run: bool
    products_created: int = 0
    file_types_created: int = 0
    rollouts_created: int = 0
    rollouts_updated: int = 0
    volumes_created: int = 0
    volumes_updated: int = 0
    errors: list[dict[str, object]] = msgspec.field(default_factory=list)
