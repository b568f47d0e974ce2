"""Which Prefect flow or task run is executing, read from Prefect's runtime context.

Nothing here imports prefect unless the process already did: a process that never imported
prefect is not inside a Prefect run. Everything comes from the in-memory run context; only a
subflow's parent and root flow run ids need the API (once per subflow run, then cached).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from trackmw import TaskInfo
from trackmw_prefect._carry import carried_parent

__all__ = ["ADAPTER", "PrefectRun", "current", "task_info"]

ADAPTER = "prefect"
log = logging.getLogger("trackmw.prefect")


@dataclass(frozen=True)
class PrefectRun:
    """The innermost Prefect run here: a task run (``task_ctx`` set) or a flow run."""

    flow_ctx: Any  # prefect.context.FlowRunContext | None
    task_ctx: Any  # prefect.context.TaskRunContext | None

    @property
    def is_task(self) -> bool:
        return self.task_ctx is not None

    @property
    def id(self) -> str:
        model = self.task_ctx.task_run if self.is_task else self.flow_ctx.flow_run
        return str(model.id)

    @property
    def flow_run(self) -> Any:
        return self.flow_ctx.flow_run if self.flow_ctx is not None else None

    @property
    def run_tags(self) -> list[str]:
        model = self.task_ctx.task_run if self.is_task else self.flow_run
        return list(model.tags or ())

    @property
    def retries(self) -> int:
        """How many retries Prefect allows this task or flow."""
        owner = self.task_ctx.task if self.is_task else self.flow_ctx.flow
        return int(getattr(owner, "retries", None) or 0)

    @property
    def run_count(self) -> int:
        model = self.task_ctx.task_run if self.is_task else self.flow_run
        return max(int(model.run_count or 0), 1)

    def owner_name(self, fn: Callable[..., Any] | None) -> str | None:
        """The Prefect task or flow name when ``fn`` is that task's or flow's function."""
        owner = self.task_ctx.task if self.is_task else getattr(self.flow_ctx, "flow", None)
        owned = getattr(owner, "fn", None)
        if owner is None or fn is None or owned is None:
            return None
        return str(owner.name) if fn in (owned, getattr(owned, "__wrapped__", None)) else None


def current() -> PrefectRun | None:
    """The Prefect run executing here, or None outside Prefect."""
    if "prefect.context" not in sys.modules:
        return None
    from prefect.context import FlowRunContext, TaskRunContext

    flow_ctx, task_ctx = FlowRunContext.get(), TaskRunContext.get()
    flow_run = flow_ctx.flow_run if flow_ctx is not None else None
    if task_ctx is not None and flow_run is not None and (
        task_ctx.task_run.flow_run_id not in (None, flow_run.id)
    ):
        task_ctx = None  # a subflow called from inside a task: the subflow is innermost
    if task_ctx is None and flow_run is None:
        return None
    return PrefectRun(flow_ctx, task_ctx)


def task_info(fn: Callable[..., Any] | None) -> TaskInfo | None:
    """The Prefect flow or task run executing ``fn``, or None outside Prefect."""
    here = current()
    if here is None:
        return None
    flow_run = here.flow_run
    tags: dict[str, Any] = {"prefect.run_count": here.run_count}
    parent_id = None
    if flow_run is not None:
        parent_id, root = lineage(flow_run)
        tags.update({
            "prefect.flow_run_id": flow_run.id,
            "prefect.flow_run_name": flow_run.name,
            "prefect.flow_name": getattr(here.flow_ctx.flow, "name", None),
            "prefect.root_flow_run_id": root,
            "prefect.deployment_id": flow_run.deployment_id,
        })
        if not here.is_task:
            tags["prefect.parent_flow_run_id"] = parent_id
    if here.is_task:
        task_run = here.task_ctx.task_run
        tags.update({
            "prefect.task_run_id": task_run.id,
            "prefect.task_run_name": task_run.name,
            "prefect.task_name": here.task_ctx.task.name,
        })
        parent_id = str(task_run.flow_run_id) if task_run.flow_run_id else None
    name = here.owner_name(fn) or getattr(fn, "__name__", None) or tags.get(
        "prefect.task_name", tags.get("prefect.flow_name", "prefect")
    )
    return TaskInfo(
        adapter=ADAPTER,
        name=str(name),
        id=here.id,
        parent_id=parent_id,
        attempt=here.run_count,
        tags={k: str(v) for k, v in tags.items() if v is not None},
        parent_run=carried_parent(flow_run) if here.is_task else None,
        orchestrator_link=ui_url(here),
    )


def ui_url(here: PrefectRun) -> str | None:
    """The Prefect UI page of the run, when Prefect's ``ui_url`` is set (never in ephemeral
    mode without a server)."""
    from prefect.utilities.urls import url_for

    try:
        return url_for(here.task_ctx.task_run if here.is_task else here.flow_run)
    except Exception:  # noqa: BLE001 - a link is a nicety, never a failure
        return None


_lock = threading.Lock()
_lineage: OrderedDict[str, tuple[str | None, str]] = OrderedDict()
_CACHE_SIZE = 1024


def lineage(flow_run: Any) -> tuple[str | None, str]:
    """``(parent flow run id or None, root flow run id)`` of ``flow_run``.

    A top-level flow run answers from its own model; a subflow run asks the API for its
    parent task run (and up the chain), once per subflow run in this process.
    """
    key = str(flow_run.id)
    if flow_run.parent_task_run_id is None:
        return None, key
    with _lock:
        if key in _lineage:
            return _lineage[key]
    try:
        found = _lineage_from_api(flow_run)
    except Exception as exc:  # noqa: BLE001 - identity tags are best effort
        log.debug("cannot read the lineage of flow run %s: %s", key, exc)
        return None, key
    with _lock:
        _lineage[key] = found
        while len(_lineage) > _CACHE_SIZE:
            _lineage.popitem(last=False)
    return found


def _lineage_from_api(flow_run: Any) -> tuple[str | None, str]:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        parent = str(client.read_task_run(flow_run.parent_task_run_id).flow_run_id)
        node = parent
        while True:
            with _lock:
                if node in _lineage:
                    return parent, _lineage[node][1]
            above = client.read_flow_run(UUID(node)).parent_task_run_id
            if above is None:
                return parent, node
            node = str(client.read_task_run(above).flow_run_id)
