"""The plugin manager: default plugins, adapters from entry points, user plugins."""

from __future__ import annotations

import os
import threading
from typing import Any

import pluggy

from trackmw import hookspecs

__all__ = ["DISABLE_ENV", "ENTRY_POINT_GROUP", "get_plugin_manager", "register", "unregister"]

ENTRY_POINT_GROUP = "trackmw"
#: Comma-separated entry-point names (or default plugin names) not to load.
DISABLE_ENV = "TRACKMW_DISABLE_PLUGINS"
DEFAULT_PLUGINS = (
    "trackmw.default_plugins.task",
    "trackmw.default_plugins.config",
    "trackmw.default_plugins.rank",
    "trackmw.default_plugins.run_mode",
    "trackmw.default_plugins.links",
)

_pm: pluggy.PluginManager | None = None
_lock = threading.Lock()


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide manager, built on first use (entry points are loaded then)."""
    global _pm
    if _pm is None:
        with _lock:
            if _pm is None:
                _pm = _build()
    return _pm


def _build() -> pluggy.PluginManager:
    import importlib

    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    blocked = {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
    for name in blocked:
        pm.set_blocked(name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    # Registered last with trylast impls, which pluggy calls after every other impl
    # (a later trylast impl goes before earlier ones): adapters and user plugins win.
    for module in DEFAULT_PLUGINS:
        name = f"default.{module.rsplit('.', 1)[1]}"
        if name not in blocked:
            pm.register(importlib.import_module(module), name=name)
    return pm


def register(plugin: Any, name: str | None = None) -> str | None:
    """Register a user plugin (a module or object with hookimpls); it wins over adapters."""
    return get_plugin_manager().register(plugin, name=name)


def unregister(plugin: Any = None, name: str | None = None) -> Any:
    return get_plugin_manager().unregister(plugin, name=name)
