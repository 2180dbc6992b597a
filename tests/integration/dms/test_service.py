"""The DMS service against PostgreSQL: the seed-004 state, validation, locking, tenancy, audit."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.models import AuditEvent
from core.db import tenant_session
from core.errors import Conflict, NotFound, ValidationFailed
from plugins.dms.models import DmsDocumentVolume, DmsRollout
from plugins.dms.schemas import GoalInput, ProductInput, RolloutInput, VolumeInput
from plugins.dms.service import DmsService
from plugins.dms.summary import report_data
from plugins.types import RenderContext
from tests.factories import create_tenant
from tests.integration.dms.helpers import make_units, seed_004_dms


def _base_name(designation: str) -> str:
    """ "Finanzakte (elektr. Rg.)" → "Finanzakte", "Sozialakte SGB XII" → "Sozialakte"."""
    return re.split(r"[ (]", designation, maxsplit=1)[0]


async def enter_seed_004(
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant_id,
    seed,  # type: ignore[no-untyped-def]
    extra_intro_units: tuple[str, ...] = (),
) -> None:
    units_live = list(seed["umgesetzt"]["units"])
    units_intro = [re.sub(r"\s*\(.*\)$", "", u) for u in seed["in_einfuehrung"]["units"]] + list(
        extra_intro_units
    )
    procedure_units = [f"Fachamt {_base_name(n)}" for s in seed.values() for n in s["procedure"]]
    ids = await make_units(sessionmaker, tenant_id, units_live + units_intro + procedure_units)
    async with tenant_session(sessionmaker, tenant_id) as s:
        service = DmsService(s, tenant_id)
        await service.ensure_initialized()
        product = await service.save_product(
            ProductInput(name="nscale egov", vendor="Ceyoniq", operator="GKD Recklinghausen")
        )
        for status, col in seed.items():
            for name in col["procedure"]:
                file_type = await service.find_file_type(_base_name(name))
                assert file_type is not None, name
                await service.create_rollout(
                    RolloutInput(
                        file_type_id=file_type.id,
                        org_unit_id=ids[f"Fachamt {_base_name(name)}"],
                        designation=name if name != file_type.name else None,
                        status=status,
                        introduction_on=dt.date(2022, 1, 1),
                        live_on=dt.date(2023, 1, 1) if status == "umgesetzt" else None,
                        integration="fachverfahren",
                        procedure_name=f"Fachverfahren {name}",
                    )
                )
        general = await service.find_file_type("Allgemeiner Schriftverkehr")
        assert general is not None
        for status, units in (("umgesetzt", units_live), ("in_einfuehrung", units_intro)):
            for unit in units:
                await service.create_rollout(
                    RolloutInput(
                        file_type_id=general.id,
                        org_unit_id=ids[unit],
                        product_id=product.id,
                        status=status,
                        introduction_on=dt.date(2023, 3, 1),
                        live_on=dt.date(2023, 9, 1) if status == "umgesetzt" else None,
                        integration="eigenstaendig",
                        inbox="zentral",
                        workflow_approval=True,
                        workflow_acknowledgement=True,
                        workflow_cosigning=True,
                    )
                )


async def test_seed_004_state_comes_out_the_same_in_the_report_section(
    sessionmaker: async_sessionmaker[AsyncSession], shared_dir: Path
) -> None:
    seed = seed_004_dms(shared_dir)
    tenant = await create_tenant(sessionmaker)
    await enter_seed_004(sessionmaker, tenant.id, seed)
    async with tenant_session(sessionmaker, tenant.id) as s:
        data = await report_data(s, tenant.id)
    live, intro = data["columns"]
    assert live["title"] == "Elektronische Akte umgesetzt"
    assert live["procedure"] == seed["umgesetzt"]["procedure"]
    assert len(live["procedure"]) == 6
    assert intro["procedure"] == seed["in_einfuehrung"]["procedure"] == ["Bauakte", "Grundstücksakte"]
    assert [g["label"] for g in live["standalone"]] == ["nscale egov Allgemeiner Schriftverkehr"]
    assert live["standalone"][0]["units"] == seed["umgesetzt"]["units"] == ["Bereich Organisation"]
    assert intro["standalone"][0]["units"] == ["Ordnungsbehörde", "SBM Betriebshof", "Kommunalarchiv"]
    # the same content as lists (PDF/XLSX of the committee report)
    lists = {li["title"]: li["items"] for li in data["lists"]}
    assert (
        lists["Elektronische Akte umgesetzt – In Anbindung an eine Fachsoftware"]
        == seed["umgesetzt"]["procedure"]
    )
    assert lists[
        "Elektronische Akte in Einführung – Ohne Anbindung Fachverfahren mit Workflow-/Prozessdimension: "
        "nscale egov Allgemeiner Schriftverkehr"
    ] == ["Ordnungsbehörde", "SBM Betriebshof", "Kommunalarchiv"]


async def test_issue_count_allgemeiner_schriftverkehr_live_in_one_and_introduced_in_four(
    sessionmaker: async_sessionmaker[AsyncSession], shared_dir: Path
) -> None:
    seed = seed_004_dms(shared_dir)
    tenant = await create_tenant(sessionmaker)
    await enter_seed_004(sessionmaker, tenant.id, seed, extra_intro_units=("Bürgerdienste",))
    async with tenant_session(sessionmaker, tenant.id) as s:
        from plugins.dms.plugin import kommpass_register_report_sections

        section = kommpass_register_report_sections()[0]
        data = await section.load(RenderContext(session=s, tenant_id=tenant.id))
    live, intro = data["columns"]
    assert (len(live["procedure"]), len(intro["procedure"])) == (6, 2)
    assert len(live["standalone"][0]["units"]) == 1
    assert len(intro["standalone"][0]["units"]) == 4


async def test_status_dates_out_of_order_are_refused_and_nothing_is_written(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await make_units(sessionmaker, tenant.id, ["Bauordnung"])
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        await service.ensure_initialized()
        bau = await service.find_file_type("Bauakte")
        with pytest.raises(ValidationFailed) as err:
            await service.create_rollout(
                RolloutInput(
                    file_type_id=bau.id,
                    org_unit_id=ids["Bauordnung"],
                    status="umgesetzt",  # type: ignore[union-attr]
                    introduction_on=dt.date(2024, 5, 1),
                    live_on=dt.date(2024, 1, 15),
                    procedure_name="ProBauG",
                )
            )
        messages = err.value.as_dict()
        assert "live_on" in messages
        assert "15.01.2024" in messages["live_on"] and "Beginn der Einführung" in messages["live_on"]
        assert await s.scalar(select(func.count()).select_from(DmsRollout)) == 0


async def test_digital_share_above_100_percent_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await make_units(sessionmaker, tenant.id, ["Organisation"])
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        with pytest.raises(ValidationFailed) as err:
            await service.create_volume(
                VolumeInput(
                    org_unit_id=ids["Organisation"],
                    reporting_date=dt.date(2024, 3, 31),
                    total_count=100,
                    digital_count=120,
                )
            )
        assert "über 100 %" in err.value.as_dict()["digital_count"]
        with pytest.raises(ValidationFailed) as err:
            await service.update_goal(GoalInput(goal_share_percent=130, goal_year=2026, version=0))
        assert "zwischen 0 und 100" in err.value.as_dict()["goal_share_percent"]
        assert await s.scalar(select(func.count()).select_from(DmsDocumentVolume)) == 0


async def test_trend_and_goal(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await make_units(sessionmaker, tenant.id, ["A", "B"])
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        for unit, date, total, digital in (
            ("A", dt.date(2023, 9, 30), 1000, 100),
            ("B", dt.date(2023, 9, 30), 1000, 300),
            ("A", dt.date(2024, 3, 31), 1000, 400),
        ):
            await service.create_volume(
                VolumeInput(
                    org_unit_id=ids[unit], reporting_date=date, total_count=total, digital_count=digital
                )
            )
        indicator = await service.indicator()
        assert [p.digital_share for p in indicator.trend] == [20.0, 40.0]
        assert indicator.goal.goal_share_percent == 30 and indicator.goal.goal_year == 2026
        assert indicator.goal_reached
        goal = await service.update_goal(
            GoalInput(goal_share_percent=50, goal_year=2027, version=indicator.goal.version)
        )
        assert goal.goal_share_percent == 50
        assert not (await service.indicator()).goal_reached


async def test_stale_version_is_a_conflict_with_the_current_state(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await make_units(sessionmaker, tenant.id, ["Organisation"])
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        await service.ensure_initialized()
        t = await service.find_file_type("Allgemeiner Schriftverkehr")
        created = await service.create_rollout(
            RolloutInput(
                file_type_id=t.id,
                org_unit_id=ids["Organisation"],  # type: ignore[union-attr]
                integration="eigenstaendig",
            )
        )
        data = RolloutInput(
            file_type_id=t.id,
            org_unit_id=ids["Organisation"],
            integration="eigenstaendig",  # type: ignore[union-attr]
            status="in_einfuehrung",
            introduction_on=dt.date(2024, 1, 1),
            version=created.version,
        )
        updated = await service.update_rollout(created.id, data)
        assert updated.version == created.version + 1
        with pytest.raises(Conflict) as err:
            await service.update_rollout(created.id, data)  # still based on the old version
        assert err.value.current["status"] == "in_einfuehrung"
        events = (
            await s.scalars(
                select(AuditEvent).where(
                    AuditEvent.tenant_id == tenant.id, AuditEvent.entity_id == str(created.id)
                )
            )
        ).all()
        assert [e.action for e in events] == ["dms.rollout.create", "dms.rollout.update"]
        assert events[1].changes["status"] == ["geplant", "in_einfuehrung"]


async def test_another_tenants_ids_are_not_found(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    a, b = await create_tenant(sessionmaker), await create_tenant(sessionmaker)
    ids = await make_units(sessionmaker, a.id, ["Organisation"])
    async with tenant_session(sessionmaker, a.id) as s:
        service = DmsService(s, a.id)
        await service.ensure_initialized()
        t = await service.find_file_type("Bauakte")
        r = await service.create_rollout(
            RolloutInput(
                file_type_id=t.id,
                org_unit_id=ids["Organisation"],  # type: ignore[union-attr]
                procedure_name="X",
            )
        )
    async with tenant_session(sessionmaker, b.id) as s:
        service = DmsService(s, b.id)
        with pytest.raises(NotFound):
            await service.rollout(r.id)
        with pytest.raises(NotFound):
            await service.file_type(t.id)  # type: ignore[union-attr]
        await service.ensure_initialized()
        own = await service.find_file_type("Bauakte")
        with pytest.raises(ValidationFailed) as err:  # a's unit is unknown here
            await service.create_rollout(
                RolloutInput(
                    file_type_id=own.id,
                    org_unit_id=ids["Organisation"],  # type: ignore[union-attr]
                    procedure_name="X",
                )
            )
        assert "org_unit_id" in err.value.as_dict()
