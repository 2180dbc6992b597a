"""Hook implementations of the e-payment plugin."""

from __future__ import annotations

from plugins.hookspecs import hookimpl
from plugins.types import PluginInfo


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(name="epayment", label="E-Payment", version="0.1.0",
                      description="Bezahlplattform-Anbindung, gebührenpflichtige Dienste, Zahlungen, Abgleich.")
