"""Demo content: the DMS state the committee report of seed 004 (section 6) describes.

E-files live with a Fachverfahren: Finanzakte (elektr. Rg.), Vertragsakte, Ausländerakte,
Friedhofsakte, Gewerbeakte, Sozialakte SGB XII; in introduction with a Fachverfahren:
Bauakte, Grundstücksakte; standalone with workflows on nscale egov: Allgemeiner
Schriftverkehr live in the Organisation unit and being introduced in the Ordnungsbehörde,
the Betriebshof (SBM) and the Kommunalarchiv. The DMS runs at the town's IT service
provider (seed 003: GKD Recklinghausen). Org units are reused where the core's demo
content already created them (same code), otherwise created here.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.measures.service import MeasureService
from core.orgunits.models import OrgUnitKind
from core.orgunits.service import OrgUnitService
from plugins.dms.schemas import GoalInput, ProductInput, RolloutInput, VolumeInput
from plugins.dms.service import DmsService

#: Geschäftskreise (code, name) and Dienststellen (code, name, parent code).
BUSINESS_AREAS = (
    ("I", "Zentrale Steuerung"),
    ("II", "Bürgerdienste, Sicherheit und Ordnung, Soziales, Jugend"),
    ("III", "Finanzen, Gebäudewirtschaft"),
    ("IV", "Bildung, Kultur, Sport und Freizeit"),
    ("V", "Bauen, Planen, Umwelt"),
    ("VI", "Städtische Betriebe"),
    ("VII", "Personal und Organisation"),
)
DEPARTMENTS = (
    ("0.3", "Recht und Vergabe", "I"),
    ("0.53", "Finanzbuchhaltung", "III"),
    ("2.2", "Ausländerbehörde", "II"),
    ("3.1", "Ordnungsbehörde", "II"),
    ("5.1", "Soziales", "II"),
    ("1.3", "Kommunalarchiv", "IV"),
    ("6.1", "Bauordnung", "V"),
    ("6.2", "Liegenschaften", "V"),
    ("S2", "Betriebshof", "VI"),
    ("S3", "Friedhofsverwaltung", "VI"),
    ("7.2", "Organisation", "VII"),
)

D = dt.date
#: (file type, designation in the report, unit code, status, introduction, live, Fachverfahren,
#: measure number)
WITH_PROCEDURE = (
    (
        "Finanzakte",
        "Finanzakte (elektr. Rg.)",
        "0.53",
        "umgesetzt",
        D(2010, 3, 1),
        D(2012, 12, 31),
        "Elektronischer Rechnungsworkflow (e-work)",
        "MP 078",
    ),
    ("Vertragsakte", None, "0.3", "umgesetzt", D(2019, 9, 1), D(2020, 6, 30), "Vertragsmanagement", None),
    (
        "Ausländerakte",
        None,
        "2.2",
        "umgesetzt",
        D(2020, 1, 15),
        D(2021, 3, 31),
        "Fachverfahren Ausländerwesen",
        None,
    ),
    ("Friedhofsakte", None, "S3", "umgesetzt", D(2020, 4, 1), D(2021, 9, 30), "Friedhofsverwaltung", None),
    ("Gewerbeakte", None, "3.1", "umgesetzt", D(2021, 2, 1), D(2022, 3, 31), "Gewerbeverfahren", None),
    (
        "Sozialakte",
        "Sozialakte SGB XII",
        "5.1",
        "umgesetzt",
        D(2021, 6, 1),
        D(2022, 9, 30),
        "Fachverfahren Sozialhilfe (SGB XII)",
        None,
    ),
    ("Bauakte", None, "6.1", "in_einfuehrung", D(2023, 3, 1), None, "Baugenehmigungsverfahren", None),
    ("Grundstücksakte", None, "6.2", "in_einfuehrung", D(2023, 6, 1), None, "Liegenschaftsverwaltung", None),
)
#: Allgemeiner Schriftverkehr on nscale egov: (unit code, status, introduction, live, long-term archiving)
STANDALONE = (
    ("7.2", "umgesetzt", D(2022, 1, 10), D(2022, 11, 30), False),
    ("3.1", "in_einfuehrung", D(2023, 8, 1), None, False),
    ("S2", "in_einfuehrung", D(2023, 9, 1), None, False),
    ("1.3", "in_einfuehrung", D(2023, 9, 15), None, True),
)
#: Documents per reporting date (total, digital) for the units with e-files.
VOLUMES = {
    D(2022, 9, 30): {"0.53": (5200, 1900), "7.2": (1400, 120), "5.1": (3100, 150), "3.1": (2600, 90)},
    D(2023, 3, 31): {"0.53": (5400, 2300), "7.2": (1350, 310), "5.1": (3000, 420), "3.1": (2700, 180)},
    D(2023, 9, 30): {"0.53": (5300, 2600), "7.2": (1300, 520), "5.1": (3050, 610), "3.1": (2650, 330)},
}


async def _unit(
    units: OrgUnitService, kind: OrgUnitKind, code: str, name: str, parent_id: uuid.UUID | None
) -> uuid.UUID:
    existing = await units.peek(kind, code)
    if existing is not None:
        return existing.id
    return (await units.create(kind, code, name, parent_id)).id


async def seed_demo(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    service = DmsService(session, tenant_id)
    if await service.rollout_rows():
        return
    await service.ensure_initialized()
    org = OrgUnitService(session, tenant_id)
    areas = {
        code: await _unit(org, OrgUnitKind.BUSINESS_AREA, code, name, None) for code, name in BUSINESS_AREAS
    }
    units = {
        code: await _unit(org, OrgUnitKind.DEPARTMENT, code, name, areas[parent])
        for code, name, parent in DEPARTMENTS
    }
    product = await service.save_product(
        ProductInput(
            name="nscale egov",
            vendor="Ceyoniq Technology",
            product_version="9",
            operator="GKD Recklinghausen",
            notes="Betrieb im kommunalen Rechenzentrum; Fachaktenlösung und Allgemeine Schriftgutverwaltung.",
        )
    )
    measures = {number: m.id for number, m in (await MeasureService(session, tenant_id).by_number()).items()}
    for type_name, designation, code, status, intro, live, procedure, measure in WITH_PROCEDURE:
        file_type = await service.find_file_type(type_name)
        assert file_type is not None
        await service.create_rollout(
            RolloutInput(
                file_type_id=file_type.id,
                org_unit_id=units[code],
                product_id=product.id,
                designation=designation,
                status=status,
                introduction_on=intro,
                live_on=live,
                integration="fachverfahren",
                procedure_name=procedure,
                procedure_interface="DMS-Schnittstelle (Ablage aus dem Fachverfahren)",
                scanning_resiscan=True,
                scanning_mode="scanstrasse",
                archive_audit_proof=True,
                users_trained=12 if status == "umgesetzt" else 4,
                measure_id=measures.get(measure or ""),
            )
        )
    general = await service.find_file_type("Allgemeiner Schriftverkehr")
    assert general is not None
    for code, status, intro, live, long_term in STANDALONE:
        await service.create_rollout(
            RolloutInput(
                file_type_id=general.id,
                org_unit_id=units[code],
                product_id=product.id,
                status=status,
                introduction_on=intro,
                live_on=live,
                integration="eigenstaendig",
                inbox="zentral" if code == "7.2" else "dezentral",
                workflow_approval=True,
                workflow_acknowledgement=True,
                workflow_cosigning=code == "7.2",
                scanning_resiscan=True,
                scanning_mode="dezentral",
                archive_audit_proof=True,
                archive_long_term=long_term,
                users_trained=25 if status == "umgesetzt" else 6,
                notes="Kommunalarchiv – auch vor dem Hintergrund der Langzeitarchivierung."
                if code == "1.3"
                else None,
            )
        )
    for date, per_unit in VOLUMES.items():
        for code, (total, digital) in per_unit.items():
            await service.create_volume(
                VolumeInput(
                    org_unit_id=units[code], reporting_date=date, total_count=total, digital_count=digital
                )
            )
    goal = await service.goal()
    await service.update_goal(GoalInput(goal_share_percent=30, goal_year=2026, version=goal.version))
