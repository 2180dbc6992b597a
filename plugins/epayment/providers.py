"""Looking up the payment providers contributed through ``kommpass_register_payment_providers``."""

from __future__ import annotations

from typing import Any

import pluggy

from plugins.epayment.protocol import PaymentProvider


def providers_from(pm: pluggy.PluginManager) -> dict[str, PaymentProvider]:
    """Name → provider; a later plugin with the same name overrides an earlier one."""
    out: dict[str, PaymentProvider] = {}
    for result in pm.hook.kommpass_register_payment_providers():
        for provider in result or []:
            if not isinstance(provider, PaymentProvider):
                raise TypeError(f"{provider!r} implements not the PaymentProvider protocol")
            out[provider.name] = provider
    return out


def provider_choices(pm: pluggy.PluginManager) -> list[tuple[str, Any]]:
    return [(name, p.label) for name, p in sorted(providers_from(pm).items())]
