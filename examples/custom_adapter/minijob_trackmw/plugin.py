"""The whole adapter: three hooks. Everything else comes from the trackmw engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import minijob

import trackmw
from trackmw import ConfigLayer, Level, TaskInfo


@trackmw.hookimpl
def trackmw_task_info(fn: Callable[..., Any] | None) -> TaskInfo | None:
    """Which minijob job is running (None outside the runner: another adapter answers)."""
    job = minijob.current_job()
    if job is None:
        return None
    return TaskInfo(
        adapter="minijob",
        name=job.name,
        id=job.job_id,
        parent_id=job.parent.job_id if job.parent else None,
        attempt=job.attempt,
        tags={"minijob.run_id": job.run_id, "minijob.job_id": job.job_id},
        orchestrator_link=job.url,
    )


@trackmw.hookimpl
def trackmw_resolve_config(task: TaskInfo, layers: Sequence[ConfigLayer]) -> ConfigLayer | None:
    """The runner's ``trackmw.*`` settings are run-wide config."""
    job = minijob.current_job()
    if job is None or task.adapter != "minijob":
        return None
    return ConfigLayer.from_context("minijob settings", Level.RUN_CONTEXT, job.settings)


@trackmw.hookimpl
def trackmw_run_started(run: trackmw.Run, task: TaskInfo) -> None:
    """Show the MLflow run on the job's page in the runner's UI."""
    job = minijob.current_job()
    if job is not None and run.link is not None:
        job.links.append(run.link.url)
