"""The plugin manager.

Built-in plugins are registered through the same ``kommpass`` entry-point group as
third-party ones (see ``pyproject.toml``). ``check_pending()`` runs at start-up, so a
misspelled hook implementation fails loudly instead of being silently ignored.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pluggy

from plugins import hookspecs
from plugins.types import PluginInfo

ENTRY_POINT_GROUP = "kommpass"


def core_hook_modules() -> list[object]:
    """The core areas' own hook implementations: every ``core.<area>.hooks`` module.

    The core's features use the same hooks as plugins (datasette style); they are
    registered first, so plugins can override them.
    """
    import importlib
    import pkgutil

    import core

    modules: list[object] = []
    for info in pkgutil.walk_packages(core.__path__, prefix="core."):
        if info.name.endswith(".hooks"):
            modules.append(importlib.import_module(info.name))
    return modules


def new_plugin_manager(*, load_entry_points: bool = True, extra: Iterable[object] = ()) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module in core_hook_modules():
        pm.register(module)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    return new_plugin_manager()


def plugin_infos(pm: pluggy.PluginManager | None = None) -> list[PluginInfo]:
    pm = pm or get_plugin_manager()
    return sorted(pm.hook.kommpass_plugin_info(), key=lambda p: p.name)


def plugin_name_of(pm: pluggy.PluginManager, plugin: object) -> str | None:
    """The ``PluginInfo.name`` a registered plugin object declares, if any."""
    impl = getattr(plugin, "kommpass_plugin_info", None)
    if impl is None:
        return None
    info: PluginInfo = impl()
    return info.name


def results_by_plugin(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str | None, Any]]:
    """Call one hook on each plugin separately, returning ``(plugin name, result)`` pairs.

    Used where the caller must know which plugin contributed what (routes, menu entries,
    widgets) to hide it for tenants that switched the plugin off.
    """
    out: list[tuple[str | None, Any]] = []
    hook = getattr(pm.hook, hook_name)
    for impl in hook.get_hookimpls():
        result = impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        if result is not None:
            out.append((plugin_name_of(pm, impl.plugin), result))
    return out


async def call_async(hook: Any, **kwargs: Any) -> list[Any]:
    """Call a hook whose implementations may be coroutines; await them in order."""
    results = []
    for result in hook(**kwargs):
        if inspect.isawaitable(result):
            result = await result
        results.append(result)
    return results
