"""MLflow autologging for the duration of a task."""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from trackmw.errors import ConfigError

__all__ = ["autolog_function", "enable"]

_lock = threading.Lock()
_users: dict[str, int] = {}
_POOL_MODULE = "mlflow.utils.autologging_utils.client"
_POOL = "_AUTOLOGGING_QUEUEING_CLIENT_THREAD_POOL"


def enable(config: Any, layer_of: dict[str, str]) -> Callable[[], None]:
    """Turn autolog on as ``config`` says; returns the function that turns it off again.

    Autolog is process-wide in MLflow: concurrent tasks share it, and it is switched off
    when the last task that asked for it ends.
    """
    target = autolog_function(config.framework, layer_of.get("framework", "?"))
    accepted = inspect.signature(target).parameters
    kwargs: dict[str, Any] = {"log_models": config.log_models, "log_datasets": config.log_datasets}
    kwargs = {k: v for k, v in kwargs.items() if k in accepted}
    kwargs.update(config.autolog_kwargs)
    key = config.framework or "*"
    with _lock:
        _fork_safe()
        target(**kwargs)
        _users[key] = _users.get(key, 0) + 1

    def disable() -> None:
        with _lock:
            _users[key] -= 1
            if not _users[key]:
                del _users[key]
                target(disable=True)

    return disable


@functools.cache
def _fork_safe() -> None:
    """Give fork-started workers (Kedro's ParallelRunner, multiprocessing pools) their own
    autolog writer threads: MLflow's pool is module-wide, and a forked child inherits its
    bookkeeping but not its threads, so its first autolog flush would wait forever."""
    os.register_at_fork(after_in_child=_renew_pool)


def _renew_pool() -> None:
    from concurrent.futures import ThreadPoolExecutor

    module = sys.modules.get(_POOL_MODULE)
    old = getattr(module, _POOL, None)
    if old is not None:
        setattr(module, _POOL, ThreadPoolExecutor(max_workers=old._max_workers,
                                                  thread_name_prefix="MlflowAutologgingQueueingClient"))


def autolog_function(framework: str | None, layer: str) -> Callable[..., Any]:
    """``mlflow.autolog``, or ``mlflow.<framework>.autolog``; ConfigError if there is none."""
    if not framework:
        import mlflow

        return mlflow.autolog
    try:
        module = importlib.import_module(f"mlflow.{framework}")
        return module.autolog  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        raise ConfigError(
            "framework", framework, layer,
            "an MLflow flavor with autolog: " + ", ".join(_COMMON_FLAVORS) + ", ...",
            reason="no MLflow autolog for this framework",
        ) from None


_COMMON_FLAVORS = ("sklearn", "pytorch", "tensorflow", "keras", "xgboost", "lightgbm",
                   "statsmodels", "spark", "transformers")
