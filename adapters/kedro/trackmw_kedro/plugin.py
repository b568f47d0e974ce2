"""trackmw-kedro's trackmw hooks: the Kedro project's config layers for each Kedro task.

The Kedro hooks (:mod:`trackmw_kedro.hooks`) register a task's layers here under its
``TaskInfo.id`` before starting it; the engine asks for them through
``trackmw_resolve_config``. Importing this module imports neither Kedro nor MLflow.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from trackmw import ConfigLayer, ParentRef, ResolvedConfig, RunPlan, TaskInfo, hookimpl
from trackmw_kedro.identity import ADAPTER

__all__ = ["forget", "register_task"]

_lock = threading.Lock()
_layers: dict[str, list[ConfigLayer]] = {}
_experiment_kwargs: dict[str, Mapping[str, Any]] = {}


def register_task(
    task: TaskInfo, layers: list[ConfigLayer], experiment_kwargs: Mapping[str, Any] | None = None
) -> None:
    """Serve ``layers`` for ``task`` (and create its experiment with ``experiment_kwargs``)."""
    assert task.id is not None
    with _lock:
        _layers[task.id] = layers
        if experiment_kwargs:
            _experiment_kwargs[task.id] = experiment_kwargs


def forget(task: TaskInfo) -> None:
    with _lock:
        _layers.pop(task.id or "", None)
        _experiment_kwargs.pop(task.id or "", None)


@hookimpl
def trackmw_resolve_config(task: TaskInfo, layers: Sequence[ConfigLayer]) -> list[ConfigLayer]:
    if task.adapter != ADAPTER:
        return []
    with _lock:
        return list(_layers.get(task.id or "", []))


@hookimpl
def trackmw_choose_run_mode(
    task: TaskInfo, config: ResolvedConfig, parent: ParentRef | None
) -> RunPlan | None:
    """No opinion on the mode; first, create a missing experiment the way kedro-mlflow's
    ``create_experiment_kwargs`` (artifact location, tags) asks."""
    with _lock:
        kwargs = _experiment_kwargs.get(task.id or "") if task.adapter == ADAPTER else None
    if kwargs and config.enabled and not config.run_id and config.experiment_name:
        _create_experiment(config, kwargs)
    return None


def _create_experiment(config: ResolvedConfig, kwargs: Mapping[str, Any]) -> None:
    from mlflow import MlflowClient

    from trackmw import env_overlays

    handle = env_overlays.push(config.credentials) if config.credentials else None
    try:
        client = MlflowClient(config.tracking_uri, config.registry_uri)
        if client.get_experiment_by_name(config.experiment_name) is None:
            client.create_experiment(config.experiment_name, **kwargs)
    finally:
        if handle is not None:
            env_overlays.pop(handle)
