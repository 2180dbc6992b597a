"""The assistant's services: asking, conversations, documents, publishing, index upkeep.

Tenant separation: a question of tenant A searches the shared catalogue, A's own index and
the network index; network passages are checked against the *current* publications in the
database before they are shown (a withdrawn publication disappears at once, even before
its passages leave the index), A's own publications are not shown twice, and the tenant
index holds nothing but A's rows (read in A's RLS-bound session, filtered by A).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.assistant import sources as src
from core.assistant.answer import ExtractiveGenerator, is_confident
from core.assistant.documents import Hit, Passage
from core.assistant.engine import Engine, get_engine
from core.assistant.importer import split_document
from core.assistant.models import (
    Conversation,
    IndexBuild,
    IndexChange,
    Message,
    NetworkDocument,
    NetworkSection,
    StrategyDocument,
    StrategySection,
)
from core.assistant.protocols import AnswerGenerator, GeneratedAnswer
from core.assistant.retrieval import diversify, search
from core.assistant.structured import StructuredAnswer, answer_applicability, is_applicability_question
from core.audit.service import SYSTEM, Actor, diff, record
from core.errors import FieldError, NotFound, ValidationFailed
from core.models import utcnow

log = structlog.get_logger(__name__)

DEFAULT_LIMIT = 10
#: At most this many pending changes are applied inline before answering (more: the job).
INLINE_APPLY_LIMIT = 200

MUNICIPALITY_LABELS = {
    "kreisfreie_stadt": "kreisfreie Stadt",
    "kreis": "Kreis",
    "grosse_kreisangehoerige_stadt": "große kreisangehörige Stadt",
    "mittlere_kreisangehoerige_stadt": "mittlere kreisangehörige Stadt",
    "kreisangehoerige_gemeinde": "kreisangehörige Gemeinde",
}


@dataclass
class Answer:
    question: str
    text: str
    hits: list[Hit]
    confident: bool
    structured: StructuredAnswer | None = None
    cited: tuple[int, ...] = ()
    seconds: float = 0.0
    sources: list[dict[str, Any]] = field(default_factory=list)


def source_dict(rank: int, hit: Hit) -> dict[str, Any]:
    p = hit.passage
    return {
        "rank": rank,
        "kind": p.kind,
        "id": p.key,
        "ozg_id": hit.ozg_id,
        "leika_key": hit.leika_key,
        "title": p.title,
        "score": round(float(hit.score), 4),
        "url": p.url,
    }


def answer_generators() -> list[AnswerGenerator]:
    from plugins.manager import get_plugin_manager

    out: list[AnswerGenerator] = []
    for result in get_plugin_manager().hook.kommpass_register_answer_generators():
        out.extend(result or [])
    if not any(isinstance(g, ExtractiveGenerator) for g in out):
        out.append(ExtractiveGenerator())
    return out


# --- index upkeep ----------------------------------------------------------------------------
async def collect(session: AsyncSession, scope: str) -> list[Passage]:
    if scope == src.CATALOG:
        return await src.catalog_source(session)
    if scope == src.NETWORK:
        return await src.network_source(session)
    if scope.startswith("tenant:"):
        tenant_id = uuid.UUID(scope.split(":", 1)[1])
        return await src.tenant_source(session, tenant_id)
    raise ValueError(scope)


async def refresh_scope(
    session: AsyncSession,
    scope: str,
    *,
    engine: Engine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Bring one index up to date with the database (embedding only changed passages) and
    clear the scope's pending changes. ``session`` must be bound to the scope's tenant."""
    engine = engine or get_engine()
    upto = await session.scalar(select(func.max(IndexChange.id)).where(IndexChange.scope == scope))
    passages = await collect(session, scope)
    # Embedding blocks for a while: off the event loop; a cancelled job (shutdown) stops the
    # thread at the next batch instead of keeping the process alive until the build ends.
    cancel = threading.Event()
    try:
        counts = await asyncio.to_thread(engine.sync, scope, passages, progress, cancel)
    except asyncio.CancelledError:
        cancel.set()
        raise
    if upto is not None:
        await session.execute(delete(IndexChange).where(IndexChange.scope == scope, IndexChange.id <= upto))
    return counts


async def pending_scopes(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(IndexChange.scope).distinct())).all())


async def start_build(session: AsyncSession, scope: str, total: int = 0) -> IndexBuild:
    build = IndexBuild(
        id=uuid.uuid4(), scope=scope, state="running", total=total, done=0, message="", started_at=utcnow()
    )
    session.add(build)
    await session.flush()
    return build


async def latest_builds(session: AsyncSession, scopes: Sequence[str]) -> dict[str, IndexBuild]:
    out: dict[str, IndexBuild] = {}
    rows = (
        await session.scalars(
            select(IndexBuild).where(IndexBuild.scope.in_(list(scopes))).order_by(IndexBuild.started_at)
        )
    ).all()
    for b in rows:
        out[b.scope] = b
    return out


# --- asking ----------------------------------------------------------------------------------
class AssistantService:
    def __init__(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        *,
        engine: Engine | None = None,
        actor: Actor = SYSTEM,
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.engine = engine or get_engine()
        self.actor = actor
        self.scope = src.tenant_scope(tenant_id)

    async def _tenant_info(self) -> tuple[str | None, str | None]:
        from tenants.models import Tenant

        row = (
            await self.session.execute(
                select(Tenant.municipality_type, Tenant.name).where(Tenant.id == self.tenant_id)
            )
        ).first()
        if row is None:
            raise NotFound("Mandant nicht gefunden.")
        return row[0], row[1]

    async def ensure_fresh(self) -> None:
        """Apply pending changes of this tenant and of the network before searching."""
        pending = dict(
            (
                await self.session.execute(
                    select(IndexChange.scope, func.count())
                    .where(IndexChange.scope.in_([self.scope, src.NETWORK]))
                    .group_by(IndexChange.scope)
                )
            )
            .tuples()
            .all()
        )
        for scope, n in pending.items():
            if n <= INLINE_APPLY_LIMIT or not self.engine.exists(scope):
                await refresh_scope(self.session, scope, engine=self.engine)
        if not self.engine.exists(self.scope):
            await refresh_scope(self.session, self.scope, engine=self.engine)

    async def _published_ids(self) -> set[str]:
        rows = (await self.session.scalars(select(NetworkDocument.id))).all()
        return {str(r) for r in rows}

    async def _enabled_plugins(self) -> set[str]:
        from plugins.settings import enabled_plugins

        return await enabled_plugins(self.session, self.tenant_id)

    async def search(self, question: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
        question = question.strip()
        if not question:
            return []
        await self.ensure_fresh()
        published = await self._published_ids()
        tid = str(self.tenant_id)
        enabled = await self._enabled_plugins()

        def accept(scope: str, p: Passage) -> bool:
            if scope == self.scope:
                plugin = p.meta.get("plugin")
                return p.tenant_id == tid and (plugin is None or plugin in enabled)
            if scope == src.NETWORK:
                return (
                    p.meta.get("network_document_id") in published
                    and p.meta.get("publisher_tenant_id") != tid
                )
            return scope == src.CATALOG

        indexes = [
            i
            for i in (self.engine.get(src.CATALOG), self.engine.get(self.scope), self.engine.get(src.NETWORK))
            if i is not None
        ]

        def run() -> list[Hit]:
            hits = search(indexes, self.engine.backend, question, limit=limit * 5, accept=accept)
            return diversify(hits)[:limit]

        return await asyncio.to_thread(run)

    async def ask(self, question: str, limit: int = DEFAULT_LIMIT) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        if not question:
            raise ValidationFailed([FieldError("question", "Bitte eine Frage eingeben.")])
        if len(question) > 1000:
            raise ValidationFailed(
                [FieldError("question", "Die Frage ist zu lang (höchstens 1000 Zeichen).")]
            )
        if is_applicability_question(question):
            structured = await self._applicability(question)
            hits = [Hit(passage=self._catalog_passage(r.key), score=1.0) for r in structured.services]
            hits = [h for h in hits if h.passage is not None]
            answer = Answer(question, structured.text, hits, True, structured, seconds=0.0)
        else:
            hits = await self.search(question, limit=max(limit, DEFAULT_LIMIT))
            confident = bool(hits) and is_confident(hits[0])
            generated: GeneratedAnswer | None = None
            for generator in answer_generators():
                try:
                    result: Any = generator.generate(question, hits)
                except Exception:  # a plugin's generator failing must not break the answer
                    log.exception("assistant.generator_failed", generator=getattr(generator, "name", "?"))
                    result = None
                if isinstance(result, str) and result.strip():  # tolerate plain-text generators
                    result = GeneratedAnswer(result.strip())
                if isinstance(result, GeneratedAnswer):
                    generated = result
                    break
            assert generated is not None
            answer = Answer(
                question,
                generated.text,
                hits[:limit],
                confident,
                cited=generated.cited,
            )
        answer.sources = [source_dict(i, h) for i, h in enumerate(answer.hits, start=1)]
        answer.seconds = round(time.perf_counter() - started, 4)
        return answer

    def _catalog_passage(self, key: str) -> Passage:
        index = self.engine.get(src.CATALOG)
        if index is None:
            raise NotFound("Der Katalog-Index fehlt.")
        pid = index.by_doc.get(f"leika:{key}")
        return index.passages[pid] if pid is not None else None  # type: ignore[return-value]

    async def _applicability(self, question: str) -> StructuredAnswer:
        index = self.engine.get(src.CATALOG)
        if index is None:
            raise NotFound("Der Katalog-Index ist noch nicht aufgebaut.")
        municipality_type, _ = await self._tenant_info()
        catalog = list(index.passages.values())

        def find(topic: str, keep: Callable[[Passage], bool]) -> list[Hit]:
            return search([index], self.engine.backend, topic, limit=200, accept=lambda _s, p: keep(p))

        return answer_applicability(
            question, catalog, municipality_type, find, MUNICIPALITY_LABELS.get(municipality_type or "")
        )

    # --- conversations ---------------------------------------------------------------------
    async def conversation(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID | None = None, *, create: bool = False
    ) -> Conversation | None:
        q = select(Conversation).where(
            Conversation.tenant_id == self.tenant_id, Conversation.user_id == user_id
        )
        if conversation_id is not None:
            conv = await self.session.scalar(q.where(Conversation.id == conversation_id))
            if conv is None:
                raise NotFound("Dieses Gespräch gibt es nicht.")
            return conv
        conv = await self.session.scalar(q.order_by(Conversation.updated_at.desc()).limit(1))
        if conv is None and create:
            conv = await self.new_conversation(user_id)
        return conv

    async def new_conversation(self, user_id: uuid.UUID) -> Conversation:
        conv = Conversation(tenant_id=self.tenant_id, id=uuid.uuid4(), user_id=user_id, title="")
        self.session.add(conv)
        await self.session.flush()
        return conv

    async def messages(self, conversation: Conversation) -> list[Message]:
        return list(
            (
                await self.session.scalars(
                    select(Message)
                    .where(Message.tenant_id == self.tenant_id, Message.conversation_id == conversation.id)
                    .order_by(Message.created_at, Message.role.desc())
                )
            ).all()
        )

    async def ask_in_conversation(
        self, user_id: uuid.UUID, question: str, conversation_id: uuid.UUID | None = None
    ) -> tuple[Message, Message, Answer]:
        answer = await self.ask(question)
        conv = await self.conversation(user_id, conversation_id, create=True)
        assert conv is not None
        now = utcnow()
        if not conv.title:
            conv.title = question[:200]
        conv.updated_at = now
        asked = Message(
            tenant_id=self.tenant_id,
            id=uuid.uuid4(),
            conversation_id=conv.id,
            role="user",
            text=question,
            sources=[],
            data={},
            created_at=now,
        )
        data: dict[str, Any] = {"confident": answer.confident, "cited": list(answer.cited)}
        if answer.structured is not None:
            s = answer.structured
            data["structured"] = {
                "filters": s.filters,
                "count": len(s.services),
                "services": [
                    {
                        "key": r.key,
                        "leika_key": r.leika_key,
                        "name": r.name,
                        "leika_type": r.leika_type,
                        "ozg_id": r.ozg_id,
                        "ozg_name": r.ozg_name,
                        "themenfeld": r.themenfeld,
                        "url": r.url,
                    }
                    for r in s.services
                ],
            }
        replied = Message(
            tenant_id=self.tenant_id,
            id=uuid.uuid4(),
            conversation_id=conv.id,
            role="assistant",
            text=answer.text,
            sources=answer.sources if answer.structured is None else [],
            data=data,
            created_at=now + dt.timedelta(microseconds=1),
        )
        self.session.add_all([asked, replied])
        await self.session.flush()
        return asked, replied, answer

    # --- documents ---------------------------------------------------------------------------
    async def import_document(
        self,
        *,
        title: str,
        data: bytes,
        filename: str = "",
        version_label: str = "",
        source_format: str | None = None,
    ) -> StrategyDocument:
        errors = []
        title = (title or "").strip()
        if not title:
            errors.append(FieldError("title", "Bitte einen Titel angeben."))
        elif len(title) > 300:
            errors.append(FieldError("title", "Der Titel ist zu lang (höchstens 300 Zeichen)."))
        if len(version_label) > 40:
            errors.append(
                FieldError("version_label", "Die Versionsangabe ist zu lang (höchstens 40 Zeichen).")
            )
        if not data:
            errors.append(FieldError("file", "Bitte eine Datei wählen."))
        if errors:
            raise ValidationFailed(errors)
        fmt, sections = split_document(data, filename, source_format)
        doc = StrategyDocument(
            tenant_id=self.tenant_id,
            id=uuid.uuid4(),
            title=title,
            version_label=version_label.strip(),
            source_format=fmt,
            source_name=(filename or "")[:300],
        )
        self.session.add(doc)
        await self.session.flush()
        self.session.add_all(
            [
                StrategySection(
                    tenant_id=self.tenant_id,
                    id=uuid.uuid4(),
                    document_id=doc.id,
                    position=i,
                    heading_path=list(s.heading_path),
                    text=s.text,
                )
                for i, s in enumerate(sections, start=1)
            ]
        )
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="assistant.document_import",
            actor=self.actor,
            entity_type="assistant_document",
            entity_id=doc.id,
            changes=diff(
                {},
                {
                    "title": doc.title,
                    "version_label": doc.version_label,
                    "format": fmt,
                    "sections": len(sections),
                },
            ),
        )
        return doc

    async def documents(self) -> list[StrategyDocument]:
        return list(
            (
                await self.session.scalars(
                    select(StrategyDocument)
                    .where(StrategyDocument.tenant_id == self.tenant_id)
                    .order_by(StrategyDocument.created_at)
                )
            ).all()
        )

    async def document(self, document_id: uuid.UUID) -> tuple[StrategyDocument, list[StrategySection]]:
        doc = await self.session.scalar(
            select(StrategyDocument).where(
                StrategyDocument.tenant_id == self.tenant_id, StrategyDocument.id == document_id
            )
        )
        if doc is None:
            raise NotFound("Dieses Dokument gibt es nicht.")
        sections = list(
            (
                await self.session.scalars(
                    select(StrategySection)
                    .where(StrategySection.tenant_id == self.tenant_id, StrategySection.document_id == doc.id)
                    .order_by(StrategySection.position)
                )
            ).all()
        )
        return doc, sections

    async def delete_document(self, document_id: uuid.UUID) -> None:
        doc, _ = await self.document(document_id)
        for pub in await self._publications_of("document", str(doc.id)):
            await self.withdraw(pub.id)
        await self.session.delete(doc)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="assistant.document_delete",
            actor=self.actor,
            entity_type="assistant_document",
            entity_id=doc.id,
            changes=diff({"title": doc.title}, {}),
        )

    # --- publishing to the network -----------------------------------------------------------
    async def _publications_of(self, origin_kind: str, origin_id: str) -> list[NetworkDocument]:
        return list(
            (
                await self.session.scalars(
                    select(NetworkDocument).where(
                        NetworkDocument.publisher_tenant_id == self.tenant_id,
                        NetworkDocument.origin_kind == origin_kind,
                        NetworkDocument.origin_id == origin_id,
                    )
                )
            ).all()
        )

    async def publications(self) -> list[NetworkDocument]:
        return list(
            (
                await self.session.scalars(
                    select(NetworkDocument)
                    .where(NetworkDocument.publisher_tenant_id == self.tenant_id)
                    .order_by(NetworkDocument.published_at)
                )
            ).all()
        )

    async def _origin_sections(
        self, origin_kind: str, origin_id: uuid.UUID
    ) -> tuple[str, str, list[tuple[tuple[str, ...], str]]]:
        if origin_kind == "document":
            doc, sections = await self.document(origin_id)
            return doc.title, doc.version_label, [(tuple(s.heading_path or ()), s.text) for s in sections]
        if origin_kind == "strategy":
            passages = [
                p
                for p in await src.tenant_source(self.session, self.tenant_id)
                if p.kind == "strategy" and p.meta.get("strategy_id") == str(origin_id)
            ]
            if not passages:
                raise NotFound("Diese Strategie gibt es nicht.")
            title = passages[0].heading_path[0] if passages[0].heading_path else "Strategie"
            return (
                title,
                str(passages[0].meta.get("version", "")),
                [(p.heading_path[1:], p.text.split("\n", 2)[-1]) for p in passages],
            )
        raise ValidationFailed([FieldError("origin_kind", "Unbekannte Art der Veröffentlichung.")])

    async def publish(
        self, origin_kind: str, origin_id: uuid.UUID, *, user_id: uuid.UUID | None = None
    ) -> NetworkDocument:
        """Publish a strategy (document) to the KAAW network: a copy of its sections."""
        title, version_label, sections = await self._origin_sections(origin_kind, origin_id)
        for old in await self._publications_of(origin_kind, str(origin_id)):
            await self.session.delete(old)  # re-publishing replaces the earlier copy
        _, tenant_name = await self._tenant_info()
        pub = NetworkDocument(
            id=uuid.uuid4(),
            publisher_tenant_id=self.tenant_id,
            publisher_name=tenant_name or "",
            title=title[:300],
            version_label=version_label[:40],
            origin_kind=origin_kind,
            origin_id=str(origin_id),
            published_by=user_id,
            published_at=utcnow(),
        )
        self.session.add(pub)
        await self.session.flush()
        self.session.add_all(
            [
                NetworkSection(
                    id=uuid.uuid4(), document_id=pub.id, position=i, heading_path=list(path), text=text
                )
                for i, (path, text) in enumerate(sections, start=1)
            ]
        )
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="assistant.publish",
            actor=self.actor,
            entity_type="network_document",
            entity_id=pub.id,
            changes=diff(
                {}, {"title": pub.title, "origin": f"{origin_kind}:{origin_id}", "sections": len(sections)}
            ),
        )
        return pub

    async def withdraw(self, publication_id: uuid.UUID) -> None:
        """Withdraw a publication: the copy is deleted and its passages leave the network
        index at once (and answers check publications against the database anyway)."""
        pub = await self.session.scalar(
            select(NetworkDocument).where(
                NetworkDocument.id == publication_id, NetworkDocument.publisher_tenant_id == self.tenant_id
            )
        )
        if pub is None:
            raise NotFound("Diese Veröffentlichung gibt es nicht.")
        positions = (
            await self.session.scalars(
                select(NetworkSection.position).where(NetworkSection.document_id == pub.id)
            )
        ).all()
        await self.session.delete(pub)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="assistant.withdraw",
            actor=self.actor,
            entity_type="network_document",
            entity_id=pub.id,
            changes=diff({"title": pub.title}, {}),
        )
        self.engine.remove(src.NETWORK, [f"network:{pub.id}:{p}" for p in positions])


async def ensure_catalog_index(
    session: AsyncSession | None,
    *,
    engine: Engine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int] | None:
    """Build the catalogue index if it does not exist yet (first start)."""
    engine = engine or get_engine()
    if engine.exists(src.CATALOG):
        engine.get(src.CATALOG)
        return None
    passages = await src.catalog_source(session)
    if not passages:
        return None
    return engine.sync(src.CATALOG, passages, progress)
