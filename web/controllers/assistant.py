"""The assistant: ``/assistent`` (chat with sources, documents, publishing to the KAAW network,
index status) and ``/api/v1/assistant/ask``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.assistant import sources as src
from core.assistant.engine import get_engine
from core.assistant.service import AssistantService, latest_builds
from core.audit.service import Actor
from core.errors import FieldError, NotFound, ValidationFailed
from tenants.context import Identity
from tenants.models import Role
from web.auth import requires_editor, requires_tenant_admin, requires_viewer
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
MultipartBody = Body(media_type=RequestEncodingType.MULTI_PART)
TAGS = ["Assistent"]


def _actor(request: Request[Any, Any, Any], identity: Identity) -> Actor:
    return Actor(
        user_id=identity.user_id,
        label=identity.email or identity.display_name,
        ip=request.client.host if request.client else None,
        request_id=request.scope.get("state", {}).get("request_id"),
    )


def _service(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> AssistantService:
    settings = request.app.state.settings
    return AssistantService(
        db, identity.require_tenant(), engine=get_engine(settings.data_dir), actor=_actor(request, identity)
    )


async def _index_status(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity
) -> dict[str, Any]:
    engine = get_engine(request.app.state.settings.data_dir)
    scopes = [src.CATALOG, src.tenant_scope(identity.require_tenant()), src.NETWORK]
    builds = await latest_builds(db, scopes)
    labels = {
        src.CATALOG: "OZG-/LeiKa-Katalog",
        scopes[1]: "Eigene Strategien und Pläne",
        src.NETWORK: "Veröffentlichte Strategien (KAAW-Netzwerk)",
    }
    rows = []
    for scope in scopes:
        index = engine.get(scope)
        build = builds.get(scope)
        rows.append(
            {
                "label": labels[scope],
                "count": len(index) if index is not None else None,
                "build": build,
                "running": build is not None and build.state in ("queued", "running"),
            }
        )
    return {
        "index_rows": rows,
        "index_running": any(r["running"] for r in rows),
        "backend_label": engine.backend.label,
    }


def _structured(message: Any) -> dict[str, Any] | None:
    data = message.data or {}
    return data.get("structured")


# --- chat --------------------------------------------------------------------------------------
@get("/assistent", guards=[requires_viewer], name="assistant.index")
async def index(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    service = _service(request, db, identity)
    conv = await service.conversation(identity.user_id)
    messages = await service.messages(conv) if conv is not None else []
    ctx = {
        "messages": messages,
        "conversation": conv,
        "question": "",
        "error": None,
        "can_edit": identity.has_role(Role.EDITOR),
        "is_admin": identity.has_role(Role.TENANT_ADMIN),
        "structured": _structured,
        **await _index_status(request, db, identity),
    }
    return page(request, "assistant/index.html", ctx)


@post("/assistent/fragen", guards=[requires_viewer], name="assistant.ask")
async def ask(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], FormBody],
) -> Template | Redirect:
    service = _service(request, db, identity)
    question = str(data.get("question") or "").strip()
    try:
        asked, replied, _ = await service.ask_in_conversation(identity.user_id, question)
    except ValidationFailed as exc:
        errors = exc.as_dict()
        ctx = {
            "question": question,
            "error": errors.get("question") or exc.message,
            "can_edit": identity.has_role(Role.EDITOR),
            "structured": _structured,
        }
        if is_htmx(request):
            return fragment(request, "assistant/index.html", "ask_form", ctx, status_code=422)
        conv = await service.conversation(identity.user_id)
        ctx.update(
            messages=await service.messages(conv) if conv else [],
            conversation=conv,
            is_admin=identity.has_role(Role.TENANT_ADMIN),
            **await _index_status(request, db, identity),
        )
        return page(request, "assistant/index.html", ctx, status_code=422)
    if is_htmx(request):
        return fragment(
            request,
            "assistant/index.html",
            "exchange",
            {
                "messages": [asked, replied],
                "can_edit": identity.has_role(Role.EDITOR),
                "structured": _structured,
                "question": "",
                "error": None,
                "oob_form": True,
            },
        )
    return Redirect(path=f"/assistent#antwort-{replied.id}", status_code=303)


@post("/assistent/neu", guards=[requires_viewer], name="assistant.new")
async def new_conversation(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Redirect:
    await _service(request, db, identity).new_conversation(identity.user_id)
    return Redirect(path="/assistent", status_code=303)


@post("/assistent/online-dienst", guards=[requires_editor], name="assistant.plan_service")
async def plan_online_service(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], FormBody],
) -> Template | Redirect:
    """One click: the LeiKa service becomes a planned online service of the tenant."""
    from core.assistant.planning import plan_online_service as plan

    key = str(data.get("key") or "").strip()
    service = _service(request, db, identity)
    created = await plan(db, identity.require_tenant(), service.engine, key, _actor(request, identity))
    if is_htmx(request):
        return fragment(request, "assistant/index.html", "planned", {"created": created})
    return Redirect(path=f"/online-dienste/{created['id']}", status_code=303)


@get("/assistent/index-status", guards=[requires_viewer], name="assistant.index_status")
async def index_status(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return fragment(
        request, "assistant/index.html", "index_status", await _index_status(request, db, identity)
    )


@post("/assistent/index/aktualisieren", guards=[requires_tenant_admin], name="assistant.reindex")
async def reindex(request: Request[Any, Any, Any], identity: CurrentIdentity) -> Redirect:
    from core.jobs import enqueue

    scope = src.tenant_scope(identity.require_tenant())
    await enqueue("assistant.reindex", key=f"assistant.reindex:{scope}", scope=scope)
    return Redirect(path="/assistent", status_code=303)


# --- documents and publishing ----------------------------------------------------------------
async def _documents_context(service: AssistantService, identity: Identity) -> dict[str, Any]:
    from sqlalchemy import select

    from core.assistant.models import NetworkDocument

    pubs = await service.publications()
    by_origin = {(p.origin_kind, p.origin_id): p for p in pubs}
    strategies = []
    try:
        from core.strategy.service import list_strategies

        strategies = await list_strategies(service.session, service.tenant_id)
    except ImportError:  # strategy area not installed
        pass
    network = list(
        (
            await service.session.scalars(
                select(NetworkDocument).order_by(NetworkDocument.publisher_name, NetworkDocument.title)
            )
        ).all()
    )
    return {
        "documents": await service.documents(),
        "publications": pubs,
        "by_origin": by_origin,
        "strategies": strategies,
        "network": [n for n in network if n.publisher_tenant_id != service.tenant_id],
        "can_edit": identity.has_role(Role.EDITOR),
        "is_admin": identity.has_role(Role.TENANT_ADMIN),
        "values": {},
        "errors": {},
    }


@get("/assistent/dokumente", guards=[requires_viewer], name="assistant.documents")
async def documents(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    service = _service(request, db, identity)
    return page(request, "assistant/documents.html", await _documents_context(service, identity))


@post("/assistent/dokumente", guards=[requires_editor], name="assistant.import")
async def import_document(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], MultipartBody],
) -> Template | Redirect:
    service = _service(request, db, identity)
    upload = data.get("file")
    title = str(data.get("title") or "")
    version_label = str(data.get("version_label") or "")
    content = b""
    filename = ""
    if isinstance(upload, UploadFile):
        content = await upload.read()
        filename = upload.filename or ""
    try:
        doc = await service.import_document(
            title=title, version_label=version_label, filename=filename, data=content
        )
    except ValidationFailed as exc:
        ctx = await _documents_context(service, identity)
        ctx.update(values={"title": title, "version_label": version_label}, errors=exc.as_dict())
        return page(request, "assistant/documents.html", ctx, status_code=422)
    return Redirect(path=f"/assistent/dokumente/{doc.id}", status_code=303)


@get("/assistent/dokumente/{document_id:uuid}", guards=[requires_viewer], name="assistant.document")
async def document(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    document_id: FromPath[uuid.UUID],
) -> Template:
    service = _service(request, db, identity)
    doc, sections = await service.document(document_id)
    pubs = [
        p for p in await service.publications() if p.origin_kind == "document" and p.origin_id == str(doc.id)
    ]
    return page(
        request,
        "assistant/document.html",
        {
            "doc": doc,
            "sections": sections,
            "publication": pubs[0] if pubs else None,
            "can_edit": identity.has_role(Role.EDITOR),
            "is_admin": identity.has_role(Role.TENANT_ADMIN),
        },
    )


@post(
    "/assistent/dokumente/{document_id:uuid}/loeschen",
    guards=[requires_editor],
    name="assistant.document_delete",
)
async def delete_document(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    document_id: FromPath[uuid.UUID],
) -> Redirect:
    await _service(request, db, identity).delete_document(document_id)
    return Redirect(path="/assistent/dokumente", status_code=303)


@post("/assistent/veroeffentlichen", guards=[requires_tenant_admin], name="assistant.publish")
async def publish(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], FormBody],
) -> Redirect:
    kind = str(data.get("origin_kind") or "")
    try:
        origin_id = uuid.UUID(str(data.get("origin_id") or ""))
    except ValueError:
        raise NotFound("Das gibt es nicht.") from None
    if kind not in ("document", "strategy"):
        raise ValidationFailed([FieldError("origin_kind", "Unbekannte Art der Veröffentlichung.")])
    await _service(request, db, identity).publish(kind, origin_id, user_id=identity.user_id)
    return Redirect(path="/assistent/dokumente", status_code=303)


@post(
    "/assistent/veroeffentlichungen/{publication_id:uuid}/zurueckziehen",
    guards=[requires_tenant_admin],
    name="assistant.withdraw",
)
async def withdraw(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    publication_id: FromPath[uuid.UUID],
) -> Redirect:
    await _service(request, db, identity).withdraw(publication_id)
    return Redirect(path="/assistent/dokumente", status_code=303)


@get("/assistent/netzwerk/{document_id:uuid}", guards=[requires_viewer], name="assistant.network_document")
async def network_document(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    document_id: FromPath[uuid.UUID],
) -> Template:
    from sqlalchemy import select

    from core.assistant.models import NetworkDocument, NetworkSection

    doc = await db.scalar(select(NetworkDocument).where(NetworkDocument.id == document_id))
    if doc is None:
        raise NotFound("Diese Veröffentlichung gibt es nicht (mehr).")
    sections = (
        await db.scalars(
            select(NetworkSection)
            .where(NetworkSection.document_id == doc.id)
            .order_by(NetworkSection.position)
        )
    ).all()
    return page(request, "assistant/network_document.html", {"doc": doc, "sections": sections})


# --- JSON API ------------------------------------------------------------------------------------
class AskRequest(msgspec.Struct, forbid_unknown_fields=True):
    question: str
    limit: int = 10


class Source(msgspec.Struct):
    rank: int
    kind: str
    id: str
    ozg_id: str | None
    leika_key: str | None
    title: str
    score: float
    url: str


class AskResponse(msgspec.Struct):
    answer: str
    sources: list[Source]


@post(
    "/api/v1/assistant/ask", guards=[requires_viewer], tags=TAGS, operation_id="askAssistant", status_code=200
)
async def api_ask(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[AskRequest],
) -> AskResponse:
    answer = await _service(request, db, identity).ask(data.question, limit=max(1, min(data.limit, 50)))
    return AskResponse(answer=answer.text, sources=[msgspec.convert(s, Source) for s in answer.sources])


ROUTES: list[Any] = [
    index,
    ask,
    new_conversation,
    plan_online_service,
    index_status,
    reindex,
    documents,
    import_document,
    document,
    delete_document,
    publish,
    withdraw,
    network_document,
    api_ask,
]
