"""The script adapter's hooks: answers task identity when no orchestrator does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trackmw import TaskInfo, hookimpl
from trackmw_script.identity import script_task


@hookimpl(trylast=True)
def trackmw_task_info(fn: Callable[..., Any] | None) -> TaskInfo:
    return script_task(fn)
