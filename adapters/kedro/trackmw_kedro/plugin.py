"""trackmw-kedro's trackmw hooks: the Kedro project's config layers for each Kedro task.

The Kedro hooks (:mod:`trackmw_kedro.hooks`) register a task's layers here under its
``TaskInfo.id`` before starting it; the engine asks for them through
``trackmw_resolve_config``. Importing this module imports neither Kedro nor MLflow.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from trackmw import ConfigLayer, TaskInfo, hookimpl
from trackmw_kedro.identity import ADAPTER

__all__ = ["forget", "register_task"]

_lock = threading.Lock()
_layers: dict[str, list[ConfigLayer]] = {}


def register_task(task: TaskInfo, layers: list[ConfigLayer]) -> None:
    """Serve ``layers`` for ``task``."""
    assert task.id is not None
    with _lock:
        _layers[task.id] = layers


def forget(task: TaskInfo) -> None:
    with _lock:
        _layers.pop(task.id or "", None)


@hookimpl
def trackmw_resolve_config(task: TaskInfo, layers: Sequence[ConfigLayer]) -> list[ConfigLayer]:
    if task.adapter != ADAPTER:
        return []
    with _lock:
        return list(_layers.get(task.id or "", []))
