"""minijob: a toy in-house job runner, standing in for *your* orchestrator.

Jobs are functions run by a :class:`Runner`; a job can call child jobs, or map them
concurrently on threads. Each job has an id, an attempt number and a page in the runner's
UI, and a run carries run-wide ``settings`` down to every job.
"""

from __future__ import annotations

import contextvars
import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "Runner", "current_job"]

UI = "http://minijob.local"
_current: contextvars.ContextVar[Job | None] = contextvars.ContextVar("minijob", default=None)


@dataclass
class Job:
    """One job execution, as the runner's UI shows it."""

    name: str
    run_id: str
    job_id: str
    parent: Job | None
    settings: Mapping[str, Any]
    attempt: int = 1
    links: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{UI}/runs/{self.run_id}/jobs/{self.job_id}"


def current_job() -> Job | None:
    """The job running here, or None outside the runner."""
    return _current.get()


class Runner:
    """Runs jobs; ``settings`` are run-wide and visible to every job of the run."""

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})
        self.run_id = uuid.uuid4().hex[:12]
        self.jobs: list[Job] = []
        self._ids = itertools.count(1)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` as a job (a child of the calling job, if any)."""
        job = Job(getattr(fn, "__name__", "job"), self.run_id, f"j{next(self._ids)}",
                  _current.get(), self.settings)
        self.jobs.append(job)
        token = _current.set(job)
        try:
            return fn(*args, **kwargs)
        finally:
            _current.reset(token)

    def map(self, fns: Iterable[Callable[[], Any]]) -> list[Any]:
        """Run each of ``fns`` as a concurrent child job, each in a copy of the context."""
        fns = list(fns)
        with ThreadPoolExecutor(max(len(fns), 1)) as pool:
            futures = [pool.submit(contextvars.copy_context().run, self.call, fn) for fn in fns]
            return [f.result() for f in futures]
