"""Built-in run-mode choice: auto, new, nested, resume, off."""

from __future__ import annotations

from trackmw.config import ResolvedConfig
from trackmw.hookspecs import hookimpl
from trackmw.plan import RunPlan
from trackmw.task import ParentRef, TaskInfo


@hookimpl(trylast=True)
def trackmw_choose_run_mode(
    task: TaskInfo, config: ResolvedConfig, parent: ParentRef | None
) -> RunPlan:
    if not config.enabled:
        return RunPlan("off")
    if config.run_id:
        return RunPlan("resume", parent=None, run_id=config.run_id)
    mode = config.run_mode
    if parent is not None and mode == "auto":
        return RunPlan("reuse", parent=parent, run_id=parent.run_id)
    if parent is not None and mode == "nested":
        return RunPlan("nested", parent=parent)
    return RunPlan("new")
