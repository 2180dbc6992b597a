"""The chat page, documents, publishing and the JSON API over HTTP."""

from __future__ import annotations

import re
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.assistant.engine import Engine
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login

HTMX = {"hx-request": "true"}


async def test_chat_page_is_accessible_and_answers_with_sources(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    page = await client.get("/assistent")
    assert page.status_code == 200
    html = page.text
    assert 'aria-live="polite"' in html and '<label class="kern-label" for="f-question">' in html
    headers = {**await csrf_headers(client), **HTMX}
    r = await client.post(
        "/assistent/fragen", data={"question": "Wo melde ich einen Hund an?"}, headers=headers
    )
    assert r.status_code == 200
    assert "Quellen" in r.text and "/katalog/" in r.text and "[1]" in r.text
    assert 'hx-swap-oob="true"' in r.text  # the form comes back empty
    again = await client.get("/assistent")
    assert "Wo melde ich einen Hund an?" in again.text  # kept in the conversation


async def test_empty_question_is_422_with_message(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    r = await client.post("/assistent/fragen", data={"question": "  "}, headers=await csrf_headers(client))
    assert r.status_code == 422 and "Bitte eine Frage eingeben." in r.text


async def test_conversations_are_per_user(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    await client.post(
        "/assistent/fragen",
        data={"question": "Reisepass beantragen"},
        headers={**await csrf_headers(client), **HTMX},
    )
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)  # another user, same tenant
    assert "Reisepass beantragen" not in (await client.get("/assistent")).text


async def test_import_publish_withdraw_over_http_with_roles(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
) -> None:
    tenant = await create_tenant(sessionmaker)
    other = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await csrf_headers(client)
    r = await client.post(
        "/assistent/dokumente",
        headers=headers,
        data={"title": "Strategie 3.0", "version_label": "3.0"},
        files={
            "file": ("s.md", b"# Strategie\n\n## Ziele\n\nAlle Akten digital bis 2028.\n", "text/markdown")
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    doc_url = r.headers["location"]
    doc_id = doc_url.rsplit("/", 1)[1]
    assert "Alle Akten digital" in (await client.get(doc_url)).text
    # an editor may not publish
    r = await client.post(
        "/assistent/veroeffentlichen",
        headers=headers,
        data={"origin_kind": "document", "origin_id": doc_id},
        follow_redirects=False,
    )
    assert r.status_code == 403
    await login(client, sessionmaker, tenant=tenant, role=Role.TENANT_ADMIN)
    headers = await csrf_headers(client)
    r = await client.post(
        "/assistent/veroeffentlichen",
        headers=headers,
        data={"origin_kind": "document", "origin_id": doc_id},
        follow_redirects=False,
    )
    assert r.status_code == 303
    listing = (await client.get("/assistent/dokumente")).text
    assert "veröffentlicht am" in listing

    # another tenant sees the publication, not the document itself
    await login(client, sessionmaker, tenant=other, role=Role.TENANT_ADMIN)
    assert (await client.get(doc_url)).status_code == 404
    listing = (await client.get("/assistent/dokumente")).text
    assert "Strategie 3.0" in listing
    pub_id = re.search(r'/assistent/netzwerk/([0-9a-f-]+)">[^<]*Strategie 3\.0', listing).group(1)
    assert "Alle Akten digital" in (await client.get(f"/assistent/netzwerk/{pub_id}")).text
    # … and cannot withdraw it
    r = await client.post(
        f"/assistent/veroeffentlichungen/{pub_id}/zurueckziehen", headers=await csrf_headers(client)
    )
    assert r.status_code == 404

    await login(client, sessionmaker, tenant=tenant, role=Role.TENANT_ADMIN)
    r = await client.post(
        f"/assistent/veroeffentlichungen/{pub_id}/zurueckziehen",
        headers=await csrf_headers(client),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (await client.get(f"/assistent/netzwerk/{pub_id}")).status_code == 404


async def test_document_of_another_tenant_is_404(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
) -> None:
    await login(client, sessionmaker, tenant=await create_tenant(sessionmaker), role=Role.EDITOR)
    assert (await client.get(f"/assistent/dokumente/{uuid.uuid4()}")).status_code == 404
    r = await client.post(f"/assistent/dokumente/{uuid.uuid4()}/loeschen", headers=await csrf_headers(client))
    assert r.status_code == 404


async def test_api_ask_returns_answer_and_sources(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
) -> None:
    await login(client, sessionmaker, tenant=await create_tenant(sessionmaker), role=Role.VIEWER)
    r = await client.post(
        "/api/v1/assistant/ask",
        json={"question": "Kindergeld beantragen"},
        headers=await csrf_headers(client),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"] and len(body["sources"]) == 10
    assert set(body["sources"][0]) == {"rank", "kind", "id", "ozg_id", "leika_key", "title", "score", "url"}


async def test_one_click_plans_an_online_service(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
) -> None:
    await login(client, sessionmaker, tenant=await create_tenant(sessionmaker), role=Role.EDITOR)
    headers = {**await csrf_headers(client), **HTMX}
    r = await client.post(
        "/assistent/fragen",
        headers=headers,
        data={"question": "Welche LeiKa-Leistungen im Themenfeld Engagement & Hobby betreffen uns?"},
    )
    assert r.status_code == 200 and "Als geplanten Online-Dienst anlegen" in r.text
    key = r.text.split('name="key" value="')[1].split('"')[0]
    r = await client.post("/assistent/online-dienst", headers=headers, data={"key": key})
    assert r.status_code == 200 and "OD 001" in r.text
    r = await client.post("/assistent/online-dienst", headers=headers, data={"key": key})
    assert r.status_code == 409  # not twice
