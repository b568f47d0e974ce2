"""``@mlflow_run``: ``trackmw.track`` for Prefect flows and tasks, on either side of ``@flow``/``@task``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar, overload

import trackmw

__all__ = ["mlflow_run"]

F = TypeVar("F")


@overload
def mlflow_run(_func: F, /) -> F: ...
@overload
def mlflow_run(_func: None = None, /, **config: Any) -> Callable[[F], F]: ...
def mlflow_run(_func: Any = None, /, **config: Any) -> Any:
    """Track a Prefect flow or task: ``@mlflow_run`` or ``@mlflow_run(run_mode="nested")``.

    Same semantics and arguments as :func:`trackmw.track`. Under ``@flow``/``@task`` it wraps
    the function; above them it wraps the flow's or task's function in place, so both orders
    work. Config is validated here: a bad key raises :class:`trackmw.ConfigError` at import
    time.
    """
    tracker = trackmw.track(**config)

    def decorate(obj: Any) -> Any:
        fn = getattr(obj, "fn", None)
        if callable(fn) and _is_prefect_object(obj):
            obj.fn = tracker(fn)
            return obj
        return tracker(obj)

    return decorate(_func) if _func is not None else decorate


def _is_prefect_object(obj: Any) -> bool:
    if "prefect" not in sys.modules:  # no flow or task can exist yet
        return False
    from prefect import Flow, Task

    return isinstance(obj, (Flow, Task))
