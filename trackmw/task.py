"""What adapters tell the engine: the running task and a parent run found elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ParentRef", "TaskInfo"]


@dataclass(frozen=True)
class ParentRef:
    """A run a task may reuse or nest under; ``local`` when it lives in this context."""

    run_id: str
    experiment_id: str
    tracking_uri: str | None = None
    local: bool = False


@dataclass(frozen=True)
class TaskInfo:
    """The orchestrator task being run.

    ``tags`` identify it in MLflow (``ADAPTER.key`` by convention); ``parent_run`` is a run
    carried from a parent task by the orchestrator (e.g. across processes).
    """

    adapter: str
    name: str
    id: str | None = None
    parent_id: str | None = None
    attempt: int = 1
    tags: Mapping[str, str] = field(default_factory=dict)
    parent_run: ParentRef | None = None
    orchestrator_link: str | None = None
