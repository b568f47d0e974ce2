"""Run-wide config as Prefect tags: ``trackmw.KEY=VALUE``.

Tags are Prefect's own run-wide labels: set them with ``prefect.tags(...)`` around a flow
call, on a deployment, or per task with ``@task(tags=...)``. They reach every task and
subflow run (process-pool workers included) and show in the UI.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from trackmw import ConfigError, ConfigLayer, Level, tracking_config
from trackmw.config import CONTEXT_PREFIX
from trackmw_prefect._identity import PrefectRun

__all__ = ["LAYER", "layers_of_tags", "mlflow_config", "mlflow_tags", "tags_layer"]

LAYER = "prefect tags"


def mlflow_tags(**config: Any) -> list[str]:
    """trackmw config as Prefect tags, e.g. ``["trackmw.run_mode=nested"]``.

    Validated now: an unknown key or a bad value raises :class:`trackmw.ConfigError`.
    """
    flat = tracking_config(**config).to_context()
    return [f"{key}={value}" for key, value in flat.items()]


@contextlib.contextmanager
def mlflow_config(**config: Any) -> Iterator[list[str]]:
    """``with mlflow_config(run_mode="nested"):`` tags the flow and task runs created inside
    (``prefect.tags`` under the hood) with trackmw config; yields the tags."""
    import prefect

    tags = mlflow_tags(**config)
    with prefect.tags(*tags):
        yield tags


def layers_of_tags(here: PrefectRun) -> list[set[str]]:
    """The run's tags by precedence, lowest first: the flow run's (deployment and call-site
    tags when the flow run was created), then ``prefect.tags`` blocks entered since, then a
    task's own ``@task(tags=...)``."""
    flow_tags = set(here.flow_run.tags or ()) if here.flow_run is not None else set()
    own = set(here.task_ctx.task.tags or ()) if here.is_task else set()
    inherited = set(here.run_tags)
    if "prefect.context" in sys.modules:
        from prefect.context import TagsContext

        ctx = TagsContext.get()
        inherited |= set(ctx.current_tags if ctx is not None else ())
    return [flow_tags, inherited - flow_tags - own, own]


def tags_layer(levels: Iterable[Iterable[str]]) -> ConfigLayer:
    """The ``trackmw.KEY=VALUE`` tags as a run-context layer; a later level wins.

    Other tags are ignored; an unknown ``trackmw.*`` key, a bad value, or two different
    values for one key in one level raise :class:`trackmw.ConfigError`.
    """
    merged: dict[str, str] = {}
    for tags in levels:
        values: dict[str, str] = {}
        for tag in sorted(tags):
            key, sep, value = tag.partition("=")
            if not key.startswith(CONTEXT_PREFIX) or not sep:
                continue
            if values.get(key, value) != value:
                raise ConfigError(key[len(CONTEXT_PREFIX):], value, LAYER,
                                  f"one value per key, not also {values[key]!r}",
                                  reason="conflicting tags")
            values[key] = value
        merged.update(values)
    return ConfigLayer.from_context(LAYER, Level.RUN_CONTEXT, merged)
