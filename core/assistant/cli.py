"""``kommpass assistant …``: ask, evaluate, reindex, import."""

from __future__ import annotations

import csv
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import click

from web.cli import fail, run_with_db


async def _tenant_id(sessionmaker: Any, slug: str) -> uuid.UUID:
    from sqlalchemy import select

    from core.db import platform_session
    from core.errors import NotFound
    from tenants.models import Tenant

    async with platform_session(sessionmaker) as session:
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        raise NotFound(f"Mandant „{slug}“ gibt es nicht.")
    return tenant_id


def _progress(label: str) -> Any:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 5 or done == total:
            last[0] = now
            click.echo(f"{label}: {done}/{total} Passagen eingebettet", err=True)

    return report


async def _ensure_catalog(sessionmaker: Any) -> None:
    from core.assistant.engine import get_engine
    from core.assistant.service import ensure_catalog_index
    from core.db import platform_session

    if get_engine().exists("catalog"):
        return
    click.echo("Katalog-Index fehlt – wird jetzt aufgebaut (einmalig, einige Minuten) …", err=True)
    async with platform_session(sessionmaker) as session:
        await ensure_catalog_index(session, progress=_progress("Katalog"))


@click.group(help="Lokaler Assistent: Fragen an Katalog, Strategien und Pläne.")
def assistant() -> None:
    pass


@assistant.command("ask", help="Stellt eine Frage und gibt Antwort und Quellen aus.")
@click.argument("question")
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
@click.option("--limit", type=int, default=10, show_default=True, help="Anzahl der Quellen.")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als ein JSON-Objekt.")
def ask(question: str, slug: str, limit: int, as_json: bool) -> None:
    from core.assistant.service import AssistantService
    from core.db import tenant_session

    async def run(sessionmaker: Any) -> Any:
        tenant_id = await _tenant_id(sessionmaker, slug)
        await _ensure_catalog(sessionmaker)
        async with tenant_session(sessionmaker, tenant_id) as session:
            return await AssistantService(session, tenant_id).ask(question, limit=limit)

    answer = run_with_db(run)
    if as_json:
        click.echo(json.dumps({"answer": answer.text, "sources": answer.sources}, ensure_ascii=False))
        return
    click.echo(answer.text)
    click.echo("")
    for s in answer.sources:
        click.echo(f"[{s['rank']}] {s['title']} ({s['kind']}, {s['score']:.3f}) {s['url']}")


def read_eval_file(path: Path) -> list[tuple[str, set[str]]]:
    rows: list[tuple[str, set[str]]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader, None)
        if not header or [h.strip().lower() for h in header[:2]] != ["query", "ozg_ids"]:
            raise click.BadParameter("Die Datei braucht die Kopfzeile „query<TAB>ozg_ids“.")
        for row in reader:
            if len(row) >= 2 and row[0].strip():
                rows.append((row[0].strip(), {x.strip() for x in row[1].split(",") if x.strip()}))
    return rows


def rank_of(sources: list[dict[str, Any]], ozg_ids: set[str], k: int = 10) -> int | None:
    for s in sources[:k]:
        if (s.get("ozg_id") and str(s["ozg_id"]) in ozg_ids) or (
            s["kind"] == "ozg" and str(s["id"]) in ozg_ids
        ):
            return int(s["rank"])
    return None


@assistant.command("eval", help="Misst hit@10 und MRR@10 auf einer Fragenliste (TSV: query, ozg_ids).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
@click.option("--quiet", is_flag=True, help="Nur die Schlusszeile.")
def evaluate(file: Path, slug: str, quiet: bool) -> None:
    from core.assistant.service import AssistantService
    from core.db import tenant_session

    try:
        rows = read_eval_file(file)
    except click.BadParameter as exc:
        fail(str(exc.message))
    if not rows:
        fail("Die Datei enthält keine Fragen.")

    async def run(sessionmaker: Any) -> list[tuple[str, int | None, float]]:
        tenant_id = await _tenant_id(sessionmaker, slug)
        await _ensure_catalog(sessionmaker)
        out = []
        for question, ids in rows:
            async with tenant_session(sessionmaker, tenant_id) as session:
                answer = await AssistantService(session, tenant_id).ask(question, limit=10)
            out.append((question, rank_of(answer.sources, ids), answer.seconds))
        return out

    results = run_with_db(run)
    hits = sum(1 for _, r, _ in results if r is not None)
    mrr = sum(1.0 / r for _, r, _ in results if r is not None)
    if not quiet:
        for question, r, seconds in results:
            click.echo(f"{'–' if r is None else r:>2}  {seconds * 1000:6.0f} ms  {question}")
    click.echo(f"hit@10={hits / len(results):.3f} MRR@10={mrr / len(results):.3f}")


@assistant.command(
    "reindex", help="Bringt die Indizes auf den Stand der Datenbank (nur Geändertes wird eingebettet)."
)
@click.option(
    "--tenant", "slug", default=None, help="Nur diesen Mandanten (sonst Katalog, Netzwerk, alle Mandanten)."
)
@click.option("--full", is_flag=True, help="Index vorher verwerfen und vollständig neu aufbauen.")
def reindex(slug: str | None, full: bool) -> None:
    from sqlalchemy import select

    from core.assistant.engine import get_engine
    from core.assistant.jobs import run_reindex
    from core.db import platform_session
    from tenants.models import Tenant

    async def run(sessionmaker: Any) -> list[tuple[str, dict[str, int], float]]:
        if slug:
            scopes = [f"tenant:{await _tenant_id(sessionmaker, slug)}"]
        else:
            async with platform_session(sessionmaker) as session:
                ids = (await session.scalars(select(Tenant.id).order_by(Tenant.slug))).all()
            scopes = ["catalog", "network", *(f"tenant:{i}" for i in ids)]
        out = []
        for scope in scopes:
            if full:
                get_engine().drop(scope)
            started = time.perf_counter()
            counts = await run_reindex(sessionmaker, scope)
            out.append((scope, counts, time.perf_counter() - started))
        return out

    for scope, counts, seconds in run_with_db(run):
        click.echo(
            f"{scope}: {counts['added']} neu, {counts['changed']} geändert, {counts['removed']} entfernt, "
            f"{counts['kept']} unverändert ({seconds:.1f} s)"
        )


@assistant.command(
    "import", help="Importiert ein Strategiedokument (Markdown, HTML, Text, PDF) für einen Mandanten."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True)
@click.option("--title", required=True)
@click.option("--version", "version_label", default="")
@click.option("--publish", is_flag=True, help="Gleich im KAAW-Netzwerk veröffentlichen.")
def import_document(file: Path, slug: str, title: str, version_label: str, publish: bool) -> None:
    from core.assistant.service import AssistantService
    from core.audit.service import Actor
    from core.db import tenant_session

    content = file.read_bytes()

    async def run(sessionmaker: Any) -> tuple[str, int]:
        tenant_id = await _tenant_id(sessionmaker, slug)
        async with tenant_session(sessionmaker, tenant_id) as session:
            service = AssistantService(session, tenant_id, actor=Actor(label="cli"))
            doc = await service.import_document(
                title=title, version_label=version_label, filename=file.name, data=content
            )
            if publish:
                await service.publish("document", doc.id)
            _, sections = await service.document(doc.id)
            return str(doc.id), len(sections)

    doc_id, n = run_with_db(run)
    click.echo(f"Dokument {doc_id} importiert: {n} Abschnitte{' (veröffentlicht)' if publish else ''}.")


__all__ = ["assistant", "sys"]
