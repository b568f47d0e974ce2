"""``@mlflow_run``: track a Flyte task (or a plain function) with the trackmw engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

import trackmw
from trackmw_flyte._config import check_exclusive
from trackmw_flyte._identity import TEMPLATE_ATTR
from trackmw_flyte._link import Mlflow

__all__ = ["mlflow_run"]

F = TypeVar("F", bound=Callable[..., Any])


@overload
def mlflow_run(_func: F, /) -> F: ...
@overload
def mlflow_run(
    _func: None = None,
    /,
    *,
    run_mode: str | None = None,
    tracking_uri: str | None = None,
    experiment_name: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    run_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    autolog: bool | None = None,
    framework: str | None = None,
    log_models: bool | None = None,
    log_datasets: bool | None = None,
    autolog_kwargs: Mapping[str, Any] | None = None,
    rank: int | None = None,
    link_host: str | None = None,
    link_template: str | None = None,
    **config: Any,
) -> Callable[[F], F]: ...
def mlflow_run(_func: Any = None, /, **config: Any) -> Any:
    """Track a Flyte task: ``@mlflow_run`` or ``@mlflow_run(run_mode="nested", ...)``.

    Put it outermost, above ``@env.task``. Takes flyteplugins-mlflow's arguments plus any
    trackmw key; arguments left out (or None) are not set, so run-wide config and
    ``mlflow_config`` blocks fill them in. Bad keys or values raise
    :class:`trackmw.ConfigError` here, at import time. On a plain function it behaves like
    ``trackmw.track``.
    """
    values = {k: v for k, v in config.items() if v is not None}
    check_exclusive(values, "mlflow_run arguments")
    tracker = trackmw.track(**values)  # validates now

    def decorate(func: F) -> F:
        from flyte._task import AsyncFunctionTaskTemplate

        if not isinstance(func, AsyncFunctionTaskTemplate):
            return tracker(func)  # type: ignore[no-any-return]
        for link in func.links:
            if isinstance(link, Mlflow):
                link.for_run_mode(values.get("run_mode"))
        body = func.func
        setattr(body, TEMPLATE_ATTR, (func.name, func.short_name))
        # Wrap the body, not ``execute``: the run must live in the thread that runs the body
        # (Flyte runs sync tasks in a worker thread).
        func.func = tracker(body)
        return func

    return decorate(_func) if _func is not None else decorate
