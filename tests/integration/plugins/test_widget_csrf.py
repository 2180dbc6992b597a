"""A dashboard widget with a form: the dashboard comes from the page cache, yet every user
gets their own CSRF token in it, never the one of whoever filled the cache."""

from __future__ import annotations

import re
from typing import Any

from tenants.models import Role
from tests.factories import create_tenant, login
from web.auth import SESSION_COOKIE
from web.page_cache import LOOKUPS

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def test_each_user_gets_their_own_csrf_token_in_a_cached_widget(
    example_client: Any, sessionmaker: Any
) -> None:
    tenant = await create_tenant(sessionmaker)
    sessions = {}
    for name in ("first", "second"):  # both logged in first: a new membership is a change too
        await login(example_client, sessionmaker, tenant=tenant, role=Role.EDITOR)
        sessions[name] = example_client.cookies.get(SESSION_COOKIE)
    pages = {}
    for name in ("first", "second"):
        example_client.cookies.delete("kommpass_csrf")
        example_client.cookies.set(SESSION_COOKIE, sessions[name])
        hits = LOOKUPS.labels("dashboard", "hit")._value.get()
        resp = await example_client.get("/")
        assert resp.status_code == 200 and "Beispiel aktualisieren" in resp.text
        pages[name] = (resp, LOOKUPS.labels("dashboard", "hit")._value.get() - hits)
    (first, first_hit), (second, second_hit) = pages["first"], pages["second"]
    assert (first_hit, second_hit) == (0, 1)  # the second user's page came from the cache
    first_tokens = set(CSRF_FIELD.findall(first.text))
    second_tokens = set(CSRF_FIELD.findall(second.text))
    assert len(first_tokens) == len(second_tokens) == 1
    assert first_tokens != second_tokens
    assert second_tokens == {example_client.cookies.get("kommpass_csrf")}
    assert next(iter(first_tokens)) not in second.text
