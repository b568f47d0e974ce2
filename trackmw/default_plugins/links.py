"""Built-in UI link: ``link_template`` formatted with ``link_host``."""

from __future__ import annotations

from trackmw import links
from trackmw.config import ResolvedConfig
from trackmw.hookspecs import hookimpl
from trackmw.run import Run
from trackmw.task import TaskInfo


@hookimpl(trylast=True)
def trackmw_build_link(run: Run, config: ResolvedConfig, task: TaskInfo) -> links.Link:
    host = (links.scrub_uri(config.link_host) or links.default_host(config.tracking_uri)).rstrip("/")
    url = links.format_link(
        config.link_template,
        host=host,
        experiment_id=run.experiment_id,
        run_id=run.run_id,
        run_name=run.name,
        task=task.name,
    )
    return links.Link(url)
