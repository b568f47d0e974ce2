"""Retries: all attempts of a Prefect flow or task run share one MLflow run.

Prefect retries a failed run in the same process, calling the function again with the same
run id and a higher ``run_count``. The first attempt's MLflow run is remembered; later
attempts resume it (status back to RUNNING, ``prefect.run_count``/``trackmw.attempt``
updated), and it ends with the status of the last attempt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from trackmw import Run, TaskInfo
from trackmw_prefect._identity import PrefectRun

__all__ = ["earlier_run", "ended", "started"]

_lock = threading.Lock()
_runs: OrderedDict[tuple[str, str], str] = OrderedDict()
_resumed: set[tuple[str, str]] = set()
_SIZE = 4096


def _key(task: TaskInfo) -> tuple[str, str]:
    return (task.id or "", task.name)


def earlier_run(task: TaskInfo) -> str | None:
    """The MLflow run of an earlier attempt of this task (to resume), if any."""
    with _lock:
        run_id = _runs.get(_key(task))
        if run_id is not None:
            _resumed.add(_key(task))
        return run_id


def started(here: PrefectRun, task: TaskInfo, run: Run) -> None:
    """Remember the run for later attempts; tag a resumed run with this attempt."""
    key = _key(task)
    with _lock:
        resumed = key in _resumed
        _resumed.discard(key)
        if here.retries >= here.run_count:
            _runs[key] = run.run_id
            while len(_runs) > _SIZE:
                _runs.popitem(last=False)
    if resumed:
        run.set_tags({"prefect.run_count": task.attempt, "trackmw.attempt": task.attempt})


def ended(here: PrefectRun | None, task: TaskInfo, status: str) -> None:
    """Forget the run unless Prefect may still retry this task."""
    if status == "FAILED" and here is not None and here.retries >= here.run_count:
        return
    with _lock:
        _runs.pop(_key(task), None)
