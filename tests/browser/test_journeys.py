"""End-to-end journeys and the accessibility sweep in headless Chromium (Debian's chromium,
driven by Playwright): real clicks and keystrokes against the live app, no HTTP shortcuts.

One tenant seeded through the demo-seed hooks (realistic content: measures, online
services, reporting dates, strategy, budget, assistant documents, DMS, e-payment) is shared
by the read-only journeys and the axe sweep; journeys that change data get their own tenant.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.service import Actor
from core.db import platform_session, tenant_session
from core.settings import Settings
from plugins.manager import call_async, get_plugin_manager
from tenants.demo_idp import DemoAccount, MiniProvider
from tenants.identity import MemberService, ProviderService
from tenants.models import Role, Tenant
from tenants.schemas_identity import InvitationWrite, ProviderWrite
from tenants.sessions import SessionService
from tests.browser.conftest import AXE, LiveServer, browser_login, screenshot
from tests.factories import add_membership, create_tenant, create_user
from tests.integration.assistant.conftest import assistant_engine  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

SECRET = "browser-" + uuid.uuid4().hex


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> Tenant:
    """One tenant with the full demo content of every area (seeded once per session)."""
    tenant = await create_tenant(sessionmaker, name="Stadt Dorsten (Browser)")
    async with tenant_session(sessionmaker, tenant.id) as session:
        await call_async(
            get_plugin_manager().hook.kommpass_on_demo_seed, session=session, tenant_id=tenant.id
        )
    return tenant


async def _new_page(context: BrowserContext) -> Page:
    return await context.new_page()


@pytest.fixture
async def viewer_page(browser: Browser, live_server: LiveServer) -> AsyncIterator[Page]:
    """A fresh context per test (own cookies), JS errors fail the test."""
    ctx = await browser.new_context(
        base_url=live_server.url, locale="de-DE", bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    pg = await ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    await ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


async def kaaw_login(
    context: BrowserContext,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant: Tenant,
) -> None:
    user = await create_user(sessionmaker, display_name="Karl KAAW", is_kaaw_admin=True)
    await add_membership(sessionmaker, tenant.id, user.id, Role.TENANT_ADMIN)
    async with platform_session(sessionmaker) as session:
        token = await SessionService(session).create(user_id=user.id, tenant_id=tenant.id)
    from web.auth import SESSION_COOKIE

    await context.add_cookies(
        [
            {
                "name": SESSION_COOKIE,
                "value": token,
                "url": live_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


async def axe_report(page: Page) -> dict[str, Any]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    counts = Counter(v["impact"] for v in result["violations"])
    serious = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    minor = sorted(
        {
            f"{v['id']}({v['impact']})"
            for v in result["violations"]
            if v["impact"] not in ("serious", "critical")
        }
    )
    return {"counts": counts, "serious": serious, "other": minor}


async def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching ``selector`` has the focus (proves reachability)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} not reachable with Tab within {limit} presses")


async def focused(page: Page) -> str:
    return str(
        await page.evaluate(
            "() => { const e = document.activeElement; return e ? (e.id || e.tagName) : ''; }"
        )
    )


# --- 1. login through a real OIDC provider ------------------------------------------------


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[MiniProvider]:
    provider = MiniProvider(
        client_id="kommpass-browser",
        client_secret=SECRET,
        redirect_uris=[],
        accounts=(
            DemoAccount("anna", "anna.admin@browserstadt.example", "Anna Admin", "Mandanten-Administration"),
            DemoAccount("vera", "vera.vogt@browserstadt.example", "Vera Vogt", "Lesen"),
        ),
    )
    with provider.running():
        yield provider


async def test_journey_login_via_oidc_provider_and_logout(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    oidc_provider: MiniProvider,
) -> None:
    page = viewer_page
    domain = f"b{uuid.uuid4().hex[:6]}.example"
    tenant = await create_tenant(sessionmaker, name="Stadt Browserstadt", email_domains=[domain])
    assert test_settings.encryption_key
    async with tenant_session(sessionmaker, tenant.id) as s:
        provider = await ProviderService(s, test_settings.encryption_key).create(
            tenant.id,
            ProviderWrite(
                name="Anmeldung Browserstadt",
                issuer=oidc_provider.issuer,
                client_id="kommpass-browser",
                client_secret=SECRET,
            ),
            actor=Actor(label="test"),
        )
        await MemberService(s).invite(
            tenant.id,
            InvitationWrite(email="anna.admin@browserstadt.example", role=Role.EDITOR.value),
            actor=Actor(label="test"),
        )
        provider_id = provider.id
    oidc_provider.redirect_uris.append(f"{live_server.url}/auth/callback/{provider_id}")

    await page.goto("/login")
    await tab_to(page, "#f-email")
    await page.keyboard.type(f"anna.admin@{domain}")
    await page.keyboard.press("Enter")
    # at the provider's account chooser (another origin)
    await page.wait_for_url(re.compile(re.escape(oidc_provider.issuer)))
    assert "Demo-Anmeldung" in await page.title()
    await screenshot(page, "oidc-kontowahl")
    await page.get_by_role("button", name=re.compile("Anna Admin")).click()
    # back in Kommpass, logged in
    await page.wait_for_url(f"{live_server.url}/**")
    header = await page.inner_text("header")
    assert "Stadt Browserstadt" in header and "Anna Admin" in header, header
    assert page.url.rstrip("/") == live_server.url
    await page.get_by_role("button", name=re.compile("Abmelden")).click()
    await page.wait_for_url(re.compile(r"/login"))
    assert "Sie sind abgemeldet." in await page.inner_text("main")
    r = await page.goto("/massnahmen")
    assert r is not None and "/login" in page.url  # session is gone


async def test_login_form_announces_errors(viewer_page: Page) -> None:
    page = viewer_page
    await page.goto("/login")
    await tab_to(page, "#f-email")
    await page.keyboard.type("keine-adresse")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("[role=alert], .kern-error")
    # the field is marked invalid and points at its message
    invalid = await page.get_attribute("#f-email", "aria-invalid")
    described = await page.get_attribute("#f-email", "aria-describedby") or ""
    assert invalid == "true"
    found = [i for i in described.split() if await page.locator(f"#{i}").count()]
    assert found and "E-Mail-Adresse" in await page.inner_text(f"#{found[-1]}"), described


# --- accessibility sweep ------------------------------------------------------------------

MAIN_PAGES: list[tuple[str, str]] = [
    ("dashboard", "/"),
    ("massnahmenplan", "/massnahmen"),
    ("online-dienste", "/online-dienste"),
    ("organisationseinheiten", "/organisationseinheiten"),
    ("finanzplan", "/finanzplan"),
    ("strategie", "/strategie"),
    ("berichtstermine", "/berichtstermine"),
    ("ausschussbericht", "/berichte/ausschuss"),
    ("assistent", "/assistent"),
    ("katalog", "/katalog"),
    ("lueckenanalyse", "/katalog/lueckenanalyse"),
    ("dms", "/dms"),
    ("epayment", "/epayment"),
    ("verwaltung", "/verwaltung"),
    ("admin", "/admin"),
    ("admin-plugins", "/admin/plugins"),
]
#: Secondary pages (forms, sub-lists, logs) checked too; details are reached by following
#: the first detail link of a list (``>`` marks "follow the first link matching").
SECONDARY_PAGES: list[tuple[str, str]] = [
    ("berichte", "/berichte"),
    ("massnahme-neu", "/massnahmen/neu"),
    ("massnahmen-import", "/massnahmen/import"),
    ("massnahme-detail", "/massnahmen>a[href^='/massnahmen/'][href*='-']"),
    ("online-dienst-neu", "/online-dienste/neu"),
    ("online-dienst-detail", "/online-dienste>a[href^='/online-dienste/'][href*='-']"),
    ("organisationseinheit-detail", "/organisationseinheiten>a[href^='/organisationseinheiten/']"),
    ("berichtsrunde", "/berichtstermine>a[href^='/berichtstermine/']"),
    ("strategie-versionen", "/strategie/versionen"),
    ("assistent-dokumente", "/assistent/dokumente"),
    ("katalog-fuer-uns", "/katalog/fuer-uns"),
    ("katalog-versionen", "/katalog/versionen"),
    ("dms-einfuehrungen", "/dms/einfuehrungen"),
    ("dms-einfuehrung-neu", "/dms/einfuehrungen/neu"),
    ("dms-dokumentenmengen", "/dms/dokumentenmengen"),
    ("dms-import", "/dms/import"),
    ("epayment-dienste", "/epayment/dienste"),
    ("epayment-zahlungen", "/epayment/zahlungen"),
    ("epayment-buchungen", "/epayment/buchungen"),
    ("epayment-abgleich", "/epayment/abgleich"),
    ("epayment-kosten", "/epayment/kosten"),
    ("verwaltung-protokoll", "/verwaltung/protokoll"),
    ("admin-protokoll", "/admin/protokoll"),
    ("admin-mandant-neu", "/admin/mandanten/neu"),
]
PUBLIC_PAGES: list[tuple[str, str]] = [("login", "/login"), ("barrierefreiheit", "/barrierefreiheit")]


async def test_axe_on_every_main_page_with_demo_content(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    seeded: Tenant,
) -> None:
    page = viewer_page
    summary: dict[str, dict[str, Any]] = {}
    for name, path in PUBLIC_PAGES:
        r = await page.goto(path)
        assert r is not None and r.status == 200, (path, r and r.status)
        await screenshot(page, f"a11y-{name}")
        summary[name] = await axe_report(page)
    await kaaw_login(page.context, live_server, sessionmaker, seeded)
    for name, path in MAIN_PAGES:
        r = await page.goto(path)
        assert r is not None and r.status == 200, (path, r and r.status)
        await page.wait_for_load_state("networkidle")
        await screenshot(page, f"a11y-{name}")
        summary[name] = await axe_report(page)
    # and on a phone-sized screen, where wide tables scroll (scroll containers must be focusable)
    await page.set_viewport_size({"width": 390, "height": 844})
    for name, path in MAIN_PAGES:
        await page.goto(path)
        summary[f"{name}@390px"] = await axe_report(page)
    print_axe_summary(summary)
    failing = {n: rep["serious"] for n, rep in summary.items() if rep["serious"]}
    assert failing == {}, failing


async def test_axe_on_secondary_pages_with_demo_content(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    seeded: Tenant,
) -> None:
    page = viewer_page
    summary: dict[str, dict[str, Any]] = {}
    await kaaw_login(page.context, live_server, sessionmaker, seeded)
    for name, spec in SECONDARY_PAGES:
        path, _, follow = spec.partition(">")
        r = await page.goto(path)
        assert r is not None and r.status == 200, (path, r and r.status)
        if follow:
            link = page.locator(f"main {follow}").first
            href = await link.get_attribute("href")
            r = await page.goto(str(href))
            assert r is not None and r.status == 200, (href, r and r.status)
        await page.wait_for_load_state("networkidle")
        await screenshot(page, f"a11y-{name}")
        summary[name] = await axe_report(page)
    print_axe_summary(summary)
    failing = {n: rep["serious"] for n, rep in summary.items() if rep["serious"]}
    assert failing == {}, failing


def print_axe_summary(summary: dict[str, dict[str, Any]]) -> None:
    lines = []
    for name, rep in summary.items():
        c = rep["counts"]
        lines.append(
            f"AXE {name:26} critical={c.get('critical', 0)} serious={c.get('serious', 0)} "
            f"moderate={c.get('moderate', 0)} minor={c.get('minor', 0)}"
            + (f"  [{', '.join(rep['other'])}]" if rep["other"] else "")
        )
    print("\n" + "\n".join(lines))


# --- 2. progress for a reporting date, by keyboard ----------------------------------------


async def _tenant_with_plan(sessionmaker: async_sessionmaker[AsyncSession], shared_dir: Path) -> Tenant:
    """A tenant with the example measures/services imported (no reporting dates open yet)."""
    from core.measures.hooks import seed_demo as seed_measures

    tenant = await create_tenant(sessionmaker, name="Stadt Fortschritt")
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_measures(session=s, tenant_id=tenant.id)
    return tenant


async def test_journey_progress_for_a_reporting_date_by_keyboard(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    shared_dir: Path,
) -> None:
    page = viewer_page
    tenant = await _tenant_with_plan(sessionmaker, shared_dir)
    await browser_login(page.context, live_server, sessionmaker, tenant, role=Role.EDITOR)
    await page.goto("/berichtstermine")
    # open a new round: Tab to the date select, pick a later date by keyboard, submit with Enter
    await tab_to(page, "#f-date")
    options = await page.locator("#f-date option").all_inner_texts()
    await page.keyboard.press("End")
    await page.keyboard.press("Tab")  # to the submit button
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/berichtstermine/[0-9a-f-]{36}$"))
    label = options[-1]
    assert label in await page.inner_text("h1")
    await screenshot(page, "berichtsrunde")
    # the first measure's progress field: reach it by Tab, type 10 → status "umgesetzt"
    first = page.locator("input[id^='f-p-']").first
    field_id = await first.get_attribute("id")
    row = page.locator("tr", has=page.locator(f"#{field_id}"))
    before = await row.inner_text()
    await tab_to(page, f"#{field_id}")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("10")
    await page.keyboard.press("Enter")  # implicit submission of the form
    await page.wait_for_load_state("load")
    await expect(page.locator(f"#{field_id}")).to_have_value("10")
    after = await page.locator("tr", has=page.locator(f"#{field_id}")).inner_text()
    assert after != before and re.search(r"umgesetzt|abgeschlossen|fertig", after, re.I), (before, after)
    await screenshot(page, "berichtsrunde-gespeichert")
    # an invalid value is reported in an alert with a link to the field, the field is marked
    await tab_to(page, f"#{field_id}")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("17")
    await page.keyboard.press("Enter")
    alert = page.locator("[role=alert]").first
    await alert.wait_for()
    assert await page.get_attribute(f"#{field_id}", "aria-invalid") == "true"
    await alert.locator("a").first.focus()
    await page.keyboard.press("Enter")
    assert await focused(page) == field_id
    assert await axe_report(page) and (await axe_report(page))["serious"] == []


# --- 3. import the example Excel files with dry run -------------------------------------


async def test_journey_import_example_excel_files(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    shared_dir: Path,
) -> None:
    page = viewer_page
    tenant = await create_tenant(sessionmaker, name="Stadt Import")
    await browser_login(page.context, live_server, sessionmaker, tenant, role=Role.EDITOR)
    files = shared_dir / "data" / "beispiele"
    for list_path, import_path, xlsx, count in (
        ("/massnahmen", "/massnahmen/import", files / "massnahmenplan-beispiel.xlsx", 8),
        ("/online-dienste", "/online-dienste/import", files / "online-dienste-beispiel.xlsx", 13),
    ):
        await page.goto(list_path)
        await page.get_by_role("link", name=re.compile("Import")).first.click()
        await page.wait_for_url(f"**{import_path}")
        # keyboard: Tab to the file field, Space opens the file chooser, Tab + Enter submits
        await tab_to(page, "#f-datei")
        try:
            async with page.expect_file_chooser(timeout=5_000) as chooser:
                await page.keyboard.press("Space")
            await (await chooser.value).set_files(str(xlsx))
        except PlaywrightTimeout:
            # headless Chromium occasionally drops the chooser event after a history
            # navigation; the field has the focus (reached by Tab), fill it directly
            await page.locator("#f-datei").set_input_files(str(xlsx))
            await page.focus("#f-datei")
        await page.keyboard.press("Tab")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        await page.get_by_text("Vorschau (noch nichts gespeichert)").wait_for()
        assert f"{count} neu" in await page.inner_text("main")
        await screenshot(page, f"import-vorschau{import_path.replace('/', '-')}")
        assert (await axe_report(page))["serious"] == []
        # nothing stored by the dry run
        await page.goto(list_path)
        assert await page.locator("tbody th[scope=row]").count() == 0 or count == 0
        await page.go_back()
        await page.get_by_role("button", name="Änderungen übernehmen").click()
        await page.get_by_text("Import abgeschlossen").wait_for()
        assert f"{count} neu" in await page.inner_text("main")
        await page.goto(list_path)
        await screenshot(page, f"nach-import{list_path.replace('/', '-')}")
        rows = await page.locator("main tbody tr").count()
        assert rows >= count, (list_path, rows)


# --- 4. committee report ------------------------------------------------------------------


async def test_journey_committee_report(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    seeded: Tenant,
) -> None:
    page = viewer_page
    await browser_login(page.context, live_server, sessionmaker, seeded, role=Role.VIEWER)
    await page.goto("/berichte/ausschuss")
    main = await page.inner_text("main")
    assert "ausschuss" in main.lower()
    # pick another reporting date with the keyboard and show it
    await tab_to(page, "#f-stichtag")
    options = await page.locator("#f-stichtag option").all_inner_texts()
    assert len(options) >= 2, options
    await page.keyboard.press("End")
    await page.keyboard.press("Tab")  # to the submit button
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"stichtag="))
    selected = await page.locator("#f-stichtag option:checked").inner_text()
    assert selected == options[-1]
    await screenshot(page, "ausschussbericht")
    assert (await axe_report(page))["serious"] == []


# --- 5. the assistant ---------------------------------------------------------------------


@pytest.fixture
async def assistant_ready(
    seeded: Tenant,
    assistant_engine: Any,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Any:
    """The demo seed publishes strategy documents to the network and gives the tenant its own
    documents; the first question would embed them inline. Build those two indexes here with
    the integration tests' vector cache (``KOMMPASS_TEST_CACHE``), so that CI embeds them once
    and the journey measures the answer, not the index build."""
    import os

    from core.assistant import sources as src
    from core.assistant.service import refresh_scope
    from tests.integration.assistant.conftest import CachingBackend

    engine = assistant_engine
    inner = engine.backend
    cache_dir = Path(os.environ.get("KOMMPASS_TEST_CACHE") or Path.home() / ".cache" / "kommpass-test")
    caching = CachingBackend(inner, cache_dir)
    engine.backend = caching
    try:
        for scope in (src.NETWORK, src.tenant_scope(seeded.id)):
            async with tenant_session(sessionmaker, seeded.id) as s:
                await refresh_scope(s, scope, engine=engine)
        caching.save()
    finally:
        engine.backend = inner
    return engine


async def test_journey_assistant_answers_with_numbered_sources(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    seeded: Tenant,
    assistant_ready: Any,
) -> None:
    page = viewer_page
    await browser_login(page.context, live_server, sessionmaker, seeded, role=Role.VIEWER)
    await page.goto("/assistent")
    await tab_to(page, "#f-question")
    await page.keyboard.type("Wo melde ich einen Hund an?")
    await page.keyboard.press("Enter")
    answer = page.locator("main").get_by_text("Quellen").first
    await answer.wait_for(timeout=60_000)
    main = await page.inner_text("main")
    assert "[1]" in main and "Wo melde ich einen Hund an?" in main
    assert await page.locator("main a[href^='/katalog/']").count() >= 1
    # the form came back empty and keeps the focus for the next question
    await expect(page.locator("#f-question")).to_have_value("")
    await screenshot(page, "assistent-antwort")
    assert (await axe_report(page))["serious"] == []


# --- 6. switch a plugin off -----------------------------------------------------------------


async def test_journey_switch_plugin_off(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    page = viewer_page
    tenant = await create_tenant(sessionmaker, name="Stadt Schalter")
    await kaaw_login(page.context, live_server, sessionmaker, tenant)
    await page.goto("/")
    nav = page.locator("nav").first
    await expect(nav.get_by_role("link", name=re.compile("Katalog"))).to_have_count(1)
    assert (await page.goto("/katalog")).status == 200  # type: ignore[union-attr]
    await page.goto("/admin/plugins")
    form = page.locator(f"#schalter-{tenant.id}-ozg_catalog")
    button = form.get_by_role("button")
    await expect(button).to_contain_text("Ausschalten")
    await button.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(f"#schalter-{tenant.id}-ozg_catalog")).to_contain_text("aus")
    await screenshot(page, "admin-plugins-aus")
    await page.goto("/")
    await expect(page.locator("nav").first.get_by_role("link", name=re.compile("Katalog"))).to_have_count(0)
    r = await page.goto("/katalog")
    assert r is not None and r.status == 404
    # and on again
    await page.goto("/admin/plugins")
    await page.locator(f"#schalter-{tenant.id}-ozg_catalog").get_by_role("button").click()
    await expect(page.locator(f"#schalter-{tenant.id}-ozg_catalog")).to_contain_text("an")
    assert (await page.goto("/katalog")).status == 200  # type: ignore[union-attr]


# --- every main form by keyboard alone ----------------------------------------------------

#: (form page, first field, invalid input, valid input, text expected after success)
KEYBOARD_FORMS = [
    ("/massnahmen/neu", "#f-number", "", "MP 901", "MP 901"),
    ("/online-dienste/neu", "#f-number", "", "OD 901", "OD 901"),
    ("/verwaltung", "#f-email", "keine-adresse", "neu.person@browser.example", "neu.person@browser.example"),
    ("/admin/mandanten/neu", "#f-name", "", None, None),
]


@pytest.mark.parametrize(
    ("path", "first", "bad", "good", "expect_text"), KEYBOARD_FORMS, ids=[f[0] for f in KEYBOARD_FORMS]
)
async def test_form_by_keyboard_alone_with_announced_errors(
    viewer_page: Page,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    path: str,
    first: str,
    bad: str,
    good: str | None,
    expect_text: str | None,
) -> None:
    page = viewer_page
    tenant = await create_tenant(sessionmaker, name="Stadt Tastatur")
    await kaaw_login(page.context, live_server, sessionmaker, tenant)
    await page.goto(path)
    # Tab from the top of the page reaches the field; typing and Enter submit the form
    await tab_to(page, first)
    await page.keyboard.press("Control+A")
    if bad:
        await page.keyboard.type(bad)
    native = await page.evaluate(
        "(s) => document.querySelector(s).willValidate && !document.querySelector(s).form.noValidate", first
    )
    await page.keyboard.press("Enter")
    await page.wait_for_load_state("load")
    if native and not bad:
        # the browser's own validation keeps the focus on the empty required field and
        # announces its message; the server's 422 is the fallback (covered by the HTTP tests)
        assert await page.evaluate(
            "(s) => document.activeElement === document.querySelector(s) && "
            "document.querySelector(s).validationMessage !== ''",
            first,
        )
        await screenshot(page, f"tastatur{path.replace('/', '-')}-pflichtfeld")
    else:
        await _server_error_is_announced(page, path, first)
    if good is None:
        return
    # fix the value by keyboard and submit again
    await page.focus("body")
    await tab_to(page, first)
    await page.keyboard.press("Control+A")
    await page.keyboard.type(good)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert expect_text and expect_text in await page.inner_text("main")
    assert await page.locator("[aria-invalid=true]").count() == 0


async def _server_error_is_announced(page: Page, path: str, first: str) -> None:
    # the error is announced (role=alert) and tied to the field
    await page.locator(f"{first}[aria-invalid=true]").wait_for()
    described = (await page.get_attribute(first, "aria-describedby") or "").split()
    messages = [await page.inner_text(f"#{i}") for i in described if await page.locator(f"#{i}").count()]
    assert any(m.strip() for m in messages), described
    alerts = page.locator("main [role=alert]")
    assert await alerts.count() >= 1
    await screenshot(page, f"tastatur{path.replace('/', '-')}-fehler")
    assert (await axe_report(page))["serious"] == []
