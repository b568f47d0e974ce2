"""Make MLflow's fluent API follow the trackmw run of the current context.

MLflow keeps its active-run stack per thread and its tracking URI per process, so under
asyncio (MLflow issue 15131) or with several stores, ``mlflow.log_*`` lands in the wrong
run. While a trackmw run is bound, the stack and the URI are read from contextvars; outside
one, MLflow behaves exactly as it does without trackmw.

Code written for plain MLflow often reopens its parent's run by id in each task
(``with mlflow.start_run(run_id=parent_id):``) and so ends it when the first task returns.
Inside a tracked task already in that run, the call joins it instead and leaves it open.
"""

from __future__ import annotations

import contextvars
import functools
import sys
import threading
from collections.abc import MutableSequence
from typing import Any

__all__ = ["NULL_URI", "bind", "bind_gated", "install", "unbind"]

NULL_URI = "trackmw-null:/"

_stack: contextvars.ContextVar[tuple[Any, ...] | None] = contextvars.ContextVar(
    "trackmw_mlflow_stack", default=None
)
_uri: contextvars.ContextVar[str | None] = contextvars.ContextVar("trackmw_uri", default=None)
_lock = threading.Lock()
_installed = False


class _StackView(MutableSequence):  # type: ignore[type-arg]
    """A list over the context's run stack; each change sets a new tuple (copy on write)."""

    def _get(self) -> tuple[Any, ...]:
        return _stack.get() or ()

    def __getitem__(self, index: Any) -> Any:
        item = self._get()[index]
        return _gated_active_run() if item is _GATED else item

    def __len__(self) -> int:
        return len(self._get())

    def __setitem__(self, index: Any, value: Any) -> None:
        items = list(self._get())
        items[index] = value
        _stack.set(tuple(items))

    def __delitem__(self, index: Any) -> None:
        items = list(self._get())
        del items[index]
        _stack.set(tuple(items))

    def insert(self, index: int, value: Any) -> None:
        items = list(self._get())
        items.insert(index, value)
        _stack.set(tuple(items))


class _ContextRunStack:
    """Stands in for ``mlflow.tracking.fluent._active_run_stack``."""

    def __init__(self, original: Any) -> None:
        self._original = original
        self._view = _StackView()

    def get(self) -> Any:
        return self._original.get() if _stack.get() is None else self._view

    def set(self, value: Any) -> None:
        if _stack.get() is None:
            self._original.set(value)
        else:
            _stack.set(tuple(value))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


def install() -> None:
    """Patch MLflow once per process (idempotent, thread-safe)."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        from mlflow.tracking import fluent
        from mlflow.tracking._tracking_service import utils as tracking_utils

        fluent._active_run_stack = _ContextRunStack(fluent._active_run_stack)  # type: ignore[assignment]
        _patch_tracking_uri(tracking_utils)
        _patch_start_run(fluent)
        tracking_utils._tracking_store_registry.register("trackmw-null", _null_store)
        _installed = True


def _patch_tracking_uri(module: Any) -> None:
    """Replace ``get_tracking_uri`` in every loaded mlflow module that imported it."""
    original = module.get_tracking_uri

    @functools.wraps(original)
    def get_tracking_uri() -> str:
        uri = _uri.get()
        return original() if uri is None else uri

    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("mlflow") and (
            getattr(mod, "get_tracking_uri", None) is original
        ):
            mod.get_tracking_uri = get_tracking_uri  # type: ignore[attr-defined]


def _patch_start_run(fluent: Any) -> None:
    """``mlflow.start_run(run_id=<the run bound here>)`` joins that run without ending it."""
    import mlflow

    class JoinedRun(mlflow.ActiveRun):
        """An ``ActiveRun`` whose ``with`` block leaves the run open for its owner."""

        def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
            return None

    original = fluent.start_run

    @functools.wraps(original)
    def start_run(*args: Any, **kwargs: Any) -> Any:
        run_id = kwargs.get("run_id", args[0] if args else None)
        items = _stack.get() or ()
        top = items[-1] if items else None
        if run_id and top is not None and top is not _GATED and top.info.run_id == run_id:
            return JoinedRun(top)
        return original(*args, **kwargs)

    fluent.start_run = mlflow.start_run = start_run


def bind(active_run: Any, tracking_uri: str | None) -> tuple[Any, Any]:
    """Make ``active_run`` (an ``mlflow.ActiveRun``) the only fluent run in this context."""
    install()
    return _stack.set((active_run,) if active_run is not None else ()), _uri.set(tracking_uri)


def unbind(tokens: tuple[Any, Any]) -> None:
    pairs: tuple[contextvars.ContextVar[Any], ...] = (_stack, _uri)
    for var, token in zip(pairs, tokens, strict=True):
        try:
            var.reset(token)
        except ValueError:  # set in another context: clear ours
            var.set(None)


_GATED = object()  # the stack entry on gated ranks; mlflow is not needed to create it


@functools.lru_cache(maxsize=1)
def _gated_active_run() -> Any:
    """An ``ActiveRun`` whose writes go to the null store (built once mlflow is in use)."""
    from mlflow import ActiveRun
    from mlflow.entities import Run, RunData, RunInfo

    info = RunInfo("gated", "0", "", "RUNNING", 0, None, "active", run_name="gated")
    return ActiveRun(Run(info, RunData()))


def bind_gated() -> tuple[Any, Any]:
    """Make fluent logging in this context a no-op, importing mlflow only if the body does."""
    tokens = _stack.set((_GATED,)), _uri.set(NULL_URI)
    if "mlflow" in sys.modules:
        install()
    else:
        _InstallOnImport.arm()
    return tokens


class _InstallOnImport:
    """A one-shot import hook: patch mlflow right after the body imports it."""

    @classmethod
    def arm(cls) -> None:
        if not any(isinstance(f, cls) for f in sys.meta_path):
            sys.meta_path.insert(0, cls())

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "mlflow":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_install(module: Any) -> None:
            exec_module(module)
            install()

        spec.loader.exec_module = exec_and_install  # type: ignore[method-assign]
        return spec


def _null_store(store_uri: str | None = None, artifact_uri: str | None = None) -> Any:
    """A tracking store that accepts and drops everything (for gated ranks)."""
    from mlflow.store.tracking.abstract_store import AbstractStore

    def noop(*_args: Any, **_kwargs: Any) -> None:
        return None

    methods = {name: noop for name in getattr(AbstractStore, "__abstractmethods__", ())}
    methods.update(log_batch=noop, log_metric=noop, log_param=noop, set_tag=noop)
    return type("NullStore", (AbstractStore,), methods)()
