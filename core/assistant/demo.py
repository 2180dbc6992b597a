"""Demo content: the seed strategies as documents published to the KAAW network.

The demo tenant (Stadt Dorsten) gets its strategy document 1.0 imported and published; the
other seeds appear as publications of sample towns (no tenant behind them). The files are
package data (``data/seeds``, see its ``SOURCE.md``).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.assistant.importer import split_document
from core.assistant.models import NetworkDocument, NetworkSection
from core.models import utcnow

SEEDS = Path(__file__).parent / "data" / "seeds"

#: (file, publisher, title, version)
SAMPLE_PUBLICATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("rheine-ozg-umsetzung-2021.txt", "Stadt Rheine (Beispiel)", "OZG-Umsetzung mit der KAAW", "12/2021"),
    (
        "rheine-digitalisierung-pflicht-und-chance.txt",
        "Beispielkommune (KommunalDigital.NRW)",
        "Digitalisierung – Pflicht und Chance",
        "",
    ),
    (
        "nrw-ozg-umsetzungsplan-kommunen.txt",
        "Land NRW (d-NRW, Beispiel)",
        "OZG-Umsetzungsplan der Kommunen in NRW",
        "2020",
    ),
    (
        "minden-bericht-hfa-2023-11.txt",
        "Stadt Minden (Beispiel)",
        "Digitalisierung – aktueller Stand (Bericht an den Haupt- und Finanzausschuss)",
        "11/2023",
    ),
)
DEMO_TENANT_DOCUMENT = (
    "dorsten-digitalisierungsstrategie-1.0.md",
    "Digitalisierungsstrategie (Dokument)",
    "1.0",
)


async def seed_network_samples(session: AsyncSession) -> int:
    """Publish the sample towns' documents unless already there; returns how many were added."""
    existing = set(
        (
            await session.scalars(
                select(NetworkDocument.origin_id).where(NetworkDocument.origin_kind == "sample")
            )
        ).all()
    )
    added = 0
    for filename, publisher, title, version in SAMPLE_PUBLICATIONS:
        if filename in existing:
            continue
        _, sections = split_document((SEEDS / filename).read_bytes(), filename)
        doc = NetworkDocument(
            id=uuid.uuid4(),
            publisher_tenant_id=None,
            publisher_name=publisher,
            title=title,
            version_label=version,
            origin_kind="sample",
            origin_id=filename,
            published_at=utcnow(),
        )
        session.add(doc)
        await session.flush()
        session.add_all(
            [
                NetworkSection(
                    id=uuid.uuid4(),
                    document_id=doc.id,
                    position=i,
                    heading_path=list(s.heading_path),
                    text=s.text,
                )
                for i, s in enumerate(sections, start=1)
            ]
        )
        added += 1
    await session.flush()
    return added


async def seed_demo_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    from core.assistant.service import AssistantService

    service = AssistantService(session, tenant_id)
    filename, title, version = DEMO_TENANT_DOCUMENT
    doc = await service.import_document(
        title=title, version_label=version, filename=filename, data=(SEEDS / filename).read_bytes()
    )
    await service.publish("document", doc.id)
    await seed_network_samples(session)
