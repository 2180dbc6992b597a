"""Hook implementations of the OZG catalogue plugin."""

from __future__ import annotations

from plugins.hookspecs import hookimpl
from plugins.types import PluginInfo


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(name="ozg_catalog", label="OZG-/LeiKa-Katalog", version="0.1.0",
                      description="Katalog-Synchronisation, Katalogbrowser und Lückenanalyse.")
