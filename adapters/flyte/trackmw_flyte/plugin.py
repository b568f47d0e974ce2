"""trackmw-flyte's hooks: Flyte task identity, ``custom_context`` config, parent propagation."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from trackmw import ConfigLayer, Run, TaskInfo, hookimpl, propagation_env
from trackmw_flyte._config import context_layer
from trackmw_flyte._identity import ADAPTER, BAGGAGE_KEY, LINK_KEY, custom_context, task_info

_lock = threading.Lock()
_child_contexts: dict[int, contextlib.AbstractContextManager[Any]] = {}


@hookimpl
def trackmw_task_info(fn: Callable[..., Any] | None) -> TaskInfo | None:
    return task_info(fn)


@hookimpl
def trackmw_resolve_config(task: TaskInfo, layers: Sequence[ConfigLayer]) -> ConfigLayer | None:
    if task.adapter != ADAPTER:
        return None
    layer = context_layer(custom_context())
    return layer if layer.values else None


@hookimpl
def trackmw_run_started(run: Run, task: TaskInfo) -> None:
    """Put the run in the custom context of actions this task calls (local and remote)."""
    if task.adapter != ADAPTER:
        return
    import flyte

    carried = {BAGGAGE_KEY: propagation_env(run)["BAGGAGE"]}
    if run.link is not None:
        carried[LINK_KEY] = run.link.url
    scope = flyte.custom_context(**carried)
    scope.__enter__()
    with _lock:
        _child_contexts[id(run)] = scope


@hookimpl
def trackmw_run_ended(run: Run, status: str, error: BaseException | None, task: TaskInfo) -> None:
    with _lock:
        scope = _child_contexts.pop(id(run), None)
    if scope is not None:
        with contextlib.suppress(ValueError):  # ended in another context: nothing to restore
            scope.__exit__(None, None, None)
