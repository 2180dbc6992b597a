"""HTTP handlers of the e-payment plugin (HTML under ``/epayment``, JSON under ``/api/v1/epayment``)."""

from __future__ import annotations

from typing import Any


def routes() -> list[Any]:
    from plugins.epayment.controllers import api, html, public

    return [*html.ROUTES, *api.ROUTES, *public.ROUTES]
