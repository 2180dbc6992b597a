"""Strategy area: versioned strategies with goals, indicators, building blocks,
recommendations, maturity, SWOT, architecture; the budget plan.

Revision ID: 0200_strategy
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import enable_rls

revision: str = "0200_strategy"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("strategy",)
#: budget lines reference measures
depends_on: str | Sequence[str] | None = "0100_measures"

TABLES = (
    "strategies",
    "strategy_goals",
    "goal_indicators",
    "indicator_values",
    "building_blocks",
    "recommendations",
    "maturity_assessments",
    "swot_items",
    "architecture_components",
    "budget_lines",
    "budget_entries",
)


def _base(table: str, *, timestamps: bool = False) -> list[Any]:
    items: list[Any] = [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{table}"),
    ]
    if timestamps:
        items += [
            sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        ]
    return items


def _child_of_strategy(table: str) -> list[Any]:
    return [
        sa.Column("strategy_id", sa.Uuid(), nullable=False),
        sa.Column("lineage_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "strategy_id"],
            ["strategies.tenant_id", "strategies.id"],
            name=f"fk_{table}_tenant_id_strategy_id_strategies",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant_id", "strategy_id", "lineage_id", name=f"uq_{table}_tenant_id_strategy_id_lineage_id"
        ),
    ]


def _text(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Text(), server_default="", nullable=False)


def _list(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False)


def _position() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("position", sa.Integer(), server_default="0", nullable=False)


def _money(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Numeric(14, 2), server_default="0", nullable=False)


def upgrade() -> None:
    op.create_table(
        "strategies",
        *_base("strategies", timestamps=True),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), server_default="entwurf", nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("based_on_id", sa.Uuid(), nullable=True),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Integer(), nullable=True),
        sa.Column("period_end", sa.Integer(), nullable=True),
        _text("introduction"),
        _text("vision"),
        _text("digitalisation_definition"),
        _text("initial_situation"),
        _text("challenges"),
        _text("conclusion"),
        sa.UniqueConstraint("tenant_id", "label", name="uq_strategies_tenant_id_label"),
        sa.CheckConstraint(
            "status IN ('entwurf', 'beschlossen', 'abgeloest')", name="ck_strategies_status_known"
        ),
    )
    op.create_table(
        "strategy_goals",
        *_base("strategy_goals"),
        *_child_of_strategy("strategy_goals"),
        _position(),
        sa.Column("title", sa.String(300), nullable=False),
        _text("description"),
    )
    op.create_table(
        "goal_indicators",
        *_base("goal_indicators"),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("lineage_id", sa.Uuid(), nullable=False),
        _position(),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("unit", sa.String(40), server_default="", nullable=False),
        sa.Column("baseline_value", sa.Numeric(14, 2), nullable=True),
        sa.Column("target_value", sa.Numeric(14, 2), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "goal_id"],
            ["strategy_goals.tenant_id", "strategy_goals.id"],
            name="fk_goal_indicators_tenant_id_goal_id_strategy_goals",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant_id", "goal_id", "lineage_id", name="uq_goal_indicators_tenant_id_goal_id_lineage_id"
        ),
    )
    op.create_table(
        "indicator_values",
        *_base("indicator_values"),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=False),
        _text("note"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "indicator_id"],
            ["goal_indicators.tenant_id", "goal_indicators.id"],
            name="fk_indicator_values_tenant_id_indicator_id_goal_indicators",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "indicator_id",
            "measured_on",
            name="uq_indicator_values_tenant_id_indicator_id_measured_on",
        ),
    )
    op.create_table(
        "building_blocks",
        *_base("building_blocks"),
        *_child_of_strategy("building_blocks"),
        _position(),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        _text("description"),
        _list("stakeholders"),
        _list("benefits"),
        _list("acceptance_criteria"),
        _list("measures"),
        _list("risks"),
        _text("resources"),
        _text("responsible"),
    )
    op.create_index("ix_building_blocks_tenant_lineage", "building_blocks", ["tenant_id", "lineage_id"])
    op.create_table(
        "recommendations",
        *_base("recommendations"),
        *_child_of_strategy("recommendations"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("context", sa.String(300), server_default="", nullable=False),
        _list("measures"),
        _list("indicators"),
    )
    op.create_table(
        "maturity_assessments",
        *_base("maturity_assessments"),
        *_child_of_strategy("maturity_assessments"),
        sa.Column("area", sa.String(40), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=True),
        _text("assessment"),
        sa.CheckConstraint("level BETWEEN 0 AND 5", name="ck_maturity_assessments_level_range"),
        sa.CheckConstraint(
            "target_level IS NULL OR target_level BETWEEN 0 AND 5",
            name="ck_maturity_assessments_target_level_range",
        ),
    )
    op.create_table(
        "swot_items",
        *_base("swot_items"),
        *_child_of_strategy("swot_items"),
        sa.Column("category", sa.String(1), nullable=False),
        _position(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint("category IN ('S', 'W', 'O', 'T')", name="ck_swot_items_category_known"),
    )
    op.create_table(
        "architecture_components",
        *_base("architecture_components"),
        *_child_of_strategy("architecture_components"),
        sa.Column("layer", sa.String(120), server_default="", nullable=False),
        _position(),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        _text("note"),
        sa.CheckConstraint(
            "state IN ('vorhanden', 'ausbaufaehig', 'nicht_vorhanden')",
            name="ck_architecture_components_state_known",
        ),
    )
    op.create_table(
        "budget_lines",
        *_base("budget_lines", timestamps=True),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        _text("remark"),
        sa.Column("building_block_key", sa.Uuid(), nullable=True),
        sa.Column("measure_id", sa.Uuid(), nullable=True),
        _position(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "measure_id"],
            ["measures.tenant_id", "measures.id"],
            name="fk_budget_lines_tenant_id_measure_id_measures",
        ),
        sa.UniqueConstraint("tenant_id", "number", name="uq_budget_lines_tenant_id_number"),
    )
    op.create_index(
        "ix_budget_lines_tenant_building_block", "budget_lines", ["tenant_id", "building_block_key"]
    )
    op.create_table(
        "budget_entries",
        *_base("budget_entries"),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        *[
            _money(n)
            for n in (
                "development",
                "hardware_software",
                "infrastructure",
                "consulting",
                "transformation",
                "licences",
                "training",
            )
        ],
        *[
            sa.Column(n, sa.Numeric(8, 2), server_default="0", nullable=False)
            for n in ("staff_ist", "staff_soll", "staff_decentral")
        ],
        _money("actual_one_off"),
        _money("actual_running"),
        _text("note"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "line_id"],
            ["budget_lines.tenant_id", "budget_lines.id"],
            name="fk_budget_entries_tenant_id_line_id_budget_lines",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("tenant_id", "line_id", "year", name="uq_budget_entries_tenant_id_line_id_year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_budget_entries_year_range"),
    )
    for table in TABLES:
        enable_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
