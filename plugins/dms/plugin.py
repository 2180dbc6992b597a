"""Hook implementations of the DMS rollout plugin."""

from __future__ import annotations

from plugins.hookspecs import hookimpl
from plugins.types import PluginInfo


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(name="dms", label="DMS-Einführung", version="0.1.0",
                      description="E-Akten je Organisationseinheit, Workflows, digitaler Anteil, Kosten.")
