"""Built-in UI link: ``link_template`` formatted with ``link_host``."""

from __future__ import annotations

from trackmw import links
from trackmw.config import ResolvedConfig
from trackmw.hookspecs import hookimpl
from trackmw.run import Run
from trackmw.task import TaskInfo


@hookimpl(trylast=True)
def trackmw_build_link(run: Run, config: ResolvedConfig, task: TaskInfo) -> links.Link | None:
    return links.ui_link(config, experiment_id=run.experiment_id, run_id=run.run_id,
                         run_name=run.name, task=task.name)
