"""Flyte task identity and the run context carried in Flyte's ``custom_context``.

Nothing here imports flyte at module level: the trackmw plugin is loaded in every process
that uses trackmw, and a process that never imported flyte is never inside a Flyte task.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from trackmw import ParentRef, TaskInfo
from trackmw.context import parse_baggage

__all__ = [
    "ADAPTER",
    "BAGGAGE_KEY",
    "LINK_KEY",
    "TEMPLATE_ATTR",
    "custom_context",
    "parent_ref",
    "task_info",
]

ADAPTER = "flyte"
#: custom_context keys trackmw-flyte writes for child actions (``_`` keeps them apart from
#: the ``trackmw.*`` config keys, which are validated).
BAGGAGE_KEY = "_trackmw.baggage"
LINK_KEY = "_trackmw.link"
#: Set by :func:`trackmw_flyte.mlflow_run` on the task function: (full name, short name).
TEMPLATE_ATTR = "__trackmw_flyte_task__"


def _task_context() -> Any:
    """The running Flyte ``TaskContext``, or None (without importing flyte)."""
    if "flyte" not in sys.modules:
        return None
    import flyte

    tctx = flyte.ctx()
    return tctx if tctx and tctx.action is not None else None


def custom_context() -> Mapping[str, str]:
    """The running action's custom context (empty outside Flyte)."""
    tctx = _task_context()
    return (tctx.custom_context or {}) if tctx is not None else {}


def parent_ref(context: Mapping[str, str]) -> ParentRef | None:
    """The parent run a parent action left in ``context`` (W3C baggage), if any."""
    return parse_baggage(context.get(BAGGAGE_KEY) or "")


def task_info(fn: Callable[..., Any] | None) -> TaskInfo | None:
    """The Flyte action running ``fn``, or None outside a Flyte task."""
    tctx = _task_context()
    if tctx is None:
        return None
    action = tctx.action
    full, short = getattr(fn, TEMPLATE_ATTR, (None, None))
    name = short or getattr(fn, "__name__", None) or action.name
    tags = {
        "flyte.action_name": action.name,
        "flyte.run_name": action.run_name,
        "flyte.project": action.project,
        "flyte.domain": action.domain,
        "flyte.task": full,
    }
    attempt = tctx.attempt_number + 1  # FLYTE_ATTEMPT_NUMBER is 0-based
    if attempt != 1:
        tags["flyte.attempt"] = str(attempt)
    return TaskInfo(
        adapter=ADAPTER,
        name=name,
        id=f"{action.run_name}/{action.name}",
        attempt=attempt,
        tags={k: str(v) for k, v in tags.items() if v},
        parent_run=parent_ref(tctx.custom_context or {}),
    )
