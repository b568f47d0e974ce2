"""trackmw-prefect's hooks: Prefect run identity, tag config, retries, links, process pools."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from trackmw import ConfigLayer, ParentRef, ResolvedConfig, Run, RunPlan, TaskInfo, hookimpl
from trackmw_prefect import _attempts, _carry
from trackmw_prefect._config import layers_of_tags, tags_layer
from trackmw_prefect._identity import ADAPTER, current, task_info
from trackmw_prefect._link import attach_link

_lock = threading.Lock()
_published: dict[int, object] = {}


@hookimpl
def trackmw_task_info(fn: Callable[..., Any] | None) -> TaskInfo | None:
    return task_info(fn)


@hookimpl
def trackmw_resolve_config(task: TaskInfo, layers: Sequence[ConfigLayer]) -> ConfigLayer | None:
    here = current() if task.adapter == ADAPTER else None
    if here is None:
        return None
    layer = tags_layer(layers_of_tags(here))
    return layer if layer.values else None


@hookimpl
def trackmw_choose_run_mode(
    task: TaskInfo, config: ResolvedConfig, parent: ParentRef | None
) -> RunPlan | None:
    """A retried attempt resumes the run of the earlier attempts (unless it reuses a parent's)."""
    if task.adapter != ADAPTER or task.attempt == 1 or not config.enabled or config.run_id:
        return None
    if config.run_mode == "auto" and parent is not None:
        return None
    run_id = _attempts.earlier_run(task)
    return RunPlan("resume", run_id=run_id) if run_id else None


@hookimpl
def trackmw_run_started(run: Run, task: TaskInfo) -> None:
    here = current() if task.adapter == ADAPTER else None
    if here is None:
        return
    _attempts.started(here, task, run)
    if not here.is_task:
        handle = _carry.publish(run, here.flow_run.id)
        with _lock:
            _published[id(run)] = handle
    attach_link(run, here)


@hookimpl
def trackmw_run_ended(run: Run, status: str, error: BaseException | None, task: TaskInfo) -> None:
    if task.adapter != ADAPTER:
        return
    with _lock:
        handle = _published.pop(id(run), None)
    if handle is not None:
        _carry.withdraw(handle)
    _attempts.ended(current(), task, status)
