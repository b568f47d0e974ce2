"""Fallback task identity: the function's name, or ``run`` for a ``with`` block."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trackmw.hookspecs import hookimpl
from trackmw.task import TaskInfo


@hookimpl(trylast=True)
def trackmw_task_info(fn: Callable[..., Any] | None) -> TaskInfo:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or "run"
    return TaskInfo(adapter="core", name=name)
