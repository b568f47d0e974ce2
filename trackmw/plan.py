"""The run plan chosen for a task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from trackmw.task import ParentRef

__all__ = ["RunPlan"]

Action = Literal["reuse", "new", "nested", "resume", "off"]


@dataclass(frozen=True)
class RunPlan:
    """``reuse`` the parent's run, start a ``new`` or ``nested`` one, ``resume`` ``run_id``,
    or ``off`` (no run)."""

    action: Action
    parent: ParentRef | None = None
    run_id: str | None = None

    @property
    def owns_run(self) -> bool:
        """Whether this task ends the run (it never ends a run it reuses)."""
        return self.action in ("new", "nested", "resume")
