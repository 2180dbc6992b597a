"""Routes without login: the applicant's start and return pages, and the provider notifications.

The tenant is found from an unguessable key in the path (page key, payment reference) or the
Kassenzeichen of a signed notification via ``epayment_tenant_for_key`` – never from a login.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import MediaType, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.errors import NotFound, ValidationFailed
from plugins.epayment.controllers.common import encryption_key, providers, settings_of
from plugins.epayment.protocol import InvalidSignature, MalformedNotification, ProviderError
from plugins.epayment.service import flows
from plugins.epayment.service.common import euro
from plugins.epayment.service.payments import STATE_LABELS
from web.rendering import fragment, page

log = structlog.get_logger("kommpass.epayment")
PUBLIC = {"exclude_from_auth": True}


def _sessionmaker(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.sessionmaker


@get("/epayment/pay/{key:str}", opt=PUBLIC)
async def pay_page(request: Request[Any, Any, Any], key: FromPath[str]) -> Template:
    view = await flows.public_service(_sessionmaker(request), key)
    return page(request, "epayment/pay.html", {"s": view, "euro": euro, "errors": {}, "values": {}})


@post("/epayment/pay/{key:str}", opt=PUBLIC)
async def pay_start(request: Request[Any, Any, Any], key: FromPath[str]) -> Any:
    form = await request.form()
    try:
        option = int(str(form.get("option") or "0"))
    except ValueError:
        option = -1
    try:
        url = await flows.start_service_payment(
            _sessionmaker(request),
            providers(request),
            key=key,
            option=option,
            base_url=settings_of(request).web.base_url,
            encryption_key=encryption_key(request),
            applicant_reference=str(form.get("applicant_reference") or "").strip() or None,
        )
    except ValidationFailed as exc:
        view = await flows.public_service(_sessionmaker(request), key)
        return page(
            request,
            "epayment/pay.html",
            {"s": view, "euro": euro, "errors": exc.as_dict(), "values": dict(form)},
            status_code=422,
        )
    except ProviderError as exc:
        view = await flows.public_service(_sessionmaker(request), key)
        return page(
            request,
            "epayment/pay.html",
            {"s": view, "euro": euro, "values": dict(form), "errors": {"provider": str(exc)}},
            status_code=502,
        )
    return Redirect(path=url, status_code=303)


@get("/epayment/pay/status/{reference:str}", opt=PUBLIC)
async def pay_status(request: Request[Any, Any, Any], reference: FromPath[str]) -> Template:
    p = await flows.public_payment(_sessionmaker(request), reference)
    ctx = {"p": p, "euro": euro, "labels": STATE_LABELS}
    if request.headers.get("hx-request") == "true":
        return fragment(request, "epayment/pay_status.html", "status", ctx)
    return page(request, "epayment/pay_status.html", ctx)


@post("/epayment/notify/{provider:str}", opt=PUBLIC, media_type=MediaType.JSON, status_code=200)
async def notify(request: Request[Any, Any, Any], provider: FromPath[str]) -> Response[Any]:
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    client = request.client.host if request.client else None
    try:
        result = await flows.handle_notification(
            _sessionmaker(request),
            providers(request),
            provider,
            headers,
            body,
            encryption_key=encryption_key(request),
        )
    except NotFound as exc:
        log.warning("epayment.notify_unknown", provider=provider, client=client, reason=exc.message)
        return Response({"status_code": 404, "detail": exc.message}, status_code=404)
    except InvalidSignature as exc:
        log.warning("epayment.notify_bad_signature", provider=provider, client=client, reason=str(exc))
        return Response({"status_code": 400, "detail": "Signatur ungültig."}, status_code=400)
    except MalformedNotification as exc:
        log.warning("epayment.notify_malformed", provider=provider, client=client, reason=str(exc))
        return Response({"status_code": 400, "detail": "Meldung unlesbar."}, status_code=400)
    log.info(
        "epayment.notify",
        provider=provider,
        outcome=result.outcome,
        status=result.status,
        payment_id=str(result.payment_id),
    )
    return Response({"outcome": result.outcome, "status": result.status})


ROUTES: list[Any] = [pay_page, pay_start, pay_status, notify]
