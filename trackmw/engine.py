"""The run lifecycle: identify task -> resolve config -> gate -> plan -> start -> end."""

from __future__ import annotations

import functools
import inspect
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar, cast

from trackmw import _fluent, context
from trackmw.config import (
    ConfigLayer,
    Level,
    ResolvedConfig,
    block_layers,
    explicit_layer,
    resolve,
)
from trackmw.links import check_template, scrub_text
from trackmw.plan import RunPlan
from trackmw.plugins import get_plugin_manager
from trackmw.run import Run
from trackmw.task import ParentRef, TaskInfo

__all__ = ["RunScope", "TrackingWarning", "active_run", "resolve_config", "start_run", "track"]

log = logging.getLogger("trackmw")
F = TypeVar("F", bound=Callable[..., Any])
_UNSET = object()
KILLED_BY: tuple[type[BaseException], ...] = (KeyboardInterrupt, SystemExit, GeneratorExit)


class TrackingWarning(UserWarning):
    """Tracking could not record something; the task's own result is unaffected."""


def status_for(error: BaseException | None) -> str:
    """FINISHED on success (or a clean ``sys.exit(0)``), KILLED on interruption, cancellation
    and other exits, FAILED on any other exception."""
    if error is None or (isinstance(error, SystemExit) and error.code in (None, 0)):
        return "FINISHED"
    # A CancelledError exists only once asyncio is imported; importing it here would cost
    # ``import trackmw`` a third of its time (asyncio loads ssl, socket and subprocess).
    asyncio = sys.modules.get("asyncio")
    killed_by = KILLED_BY + ((asyncio.CancelledError,) if asyncio is not None else ())
    return "KILLED" if isinstance(error, killed_by) else "FAILED"


class RunScope:
    """One task's run: a context manager, or ``begin()``/``end(error)`` for hook-driven
    orchestrators. ``begin`` returns the :class:`Run`, or None when gated or disabled."""

    def __init__(
        self,
        fn: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        explicit: ConfigLayer | None = None,
        task: TaskInfo | None = None,
    ) -> None:
        self._fn, self._name, self._task = fn, name, task
        self._explicit = explicit or explicit_layer({})
        self.run: Run | None = None
        self.config: ResolvedConfig | None = None
        self.plan: RunPlan | None = None
        self._bound: list[Any] = []
        self._cleanup: list[Callable[[], None]] = []
        self._span: Any = _UNSET
        self.state: str | None = None

    # -- context manager -----------------------------------------------------------------
    def __enter__(self) -> Run | None:
        return self.begin()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        self.end(exc)

    # -- lifecycle -----------------------------------------------------------------------
    def begin(self) -> Run | None:
        self.start()
        try:
            self.bind()
        except BaseException as exc:  # a failing hook must not leave the run RUNNING
            self.end(exc)
            raise
        return self.run

    def end(self, error: BaseException | None = None) -> None:
        self.unbind()
        self.finish(error)

    def start(self) -> None:
        """Resolve everything and create or find the run (no binding yet)."""
        hook = get_plugin_manager().hook
        task = self._task or hook.trackmw_task_info(fn=self._fn)
        if self._name:
            task = replace(task, name=self._name)
        self.task = task
        binding = context.current()
        parent = _parent_of(binding, task)
        self.config = config = self._resolve(hook, task, parent)
        rank = config.rank if config.rank is not None else hook.trackmw_gate_by_rank(
            task=task, config=config
        )
        if binding == context.GATED or rank not in (None, 0):
            self.state = context.GATED
            return
        self.plan = plan = hook.trackmw_choose_run_mode(task=task, config=config, parent=parent)
        if plan.action == "off":
            self.state = context.OFF
            return
        self.state = "live"
        self._start_run(hook, task, config, plan)

    def _resolve(self, hook: Any, task: TaskInfo, parent: ParentRef | None) -> ResolvedConfig:
        layers = [self._explicit, *block_layers()]
        if parent is not None:  # a child lives in its parent's store and experiment
            inherited = {"experiment_id": parent.experiment_id or None,
                         "tracking_uri": parent.tracking_uri}
            layers.append(ConfigLayer.build("parent run", Level.PARENT, inherited))
        for found in hook.trackmw_resolve_config(task=task, layers=tuple(layers)):
            layers.extend([found] if isinstance(found, ConfigLayer) else found or [])
        config = resolve(layers)
        check_template(config.link_template, config.sources.get("link_template", "defaults"))
        if config.autolog:
            from trackmw.autolog import autolog_function  # fail early on a bad framework

            autolog_function(config.framework, config.sources.get("framework", "?"))
        return config

    def _start_run(self, hook: Any, task: TaskInfo, config: ResolvedConfig, plan: RunPlan) -> None:
        from trackmw._writer import Store

        if config.credentials:
            handle = context.env_overlays.push(config.credentials)
            self._cleanup.append(lambda: context.env_overlays.pop(handle))
        try:
            store = Store(config.tracking_uri, config.registry_uri)
            mlflow_run = self._open(store, task, config, plan)
        except BaseException:
            self._run_cleanup()
            raise
        info = mlflow_run.info
        tags = mlflow_run.data.tags
        run = Run(
            run_id=info.run_id,
            experiment_id=str(info.experiment_id),
            name=info.run_name or tags.get("mlflow.runName", task.name),
            parent_run_id=tags.get("mlflow.parentRunId"),
            tracking_uri=store.tracking_uri,
            writer=store.writer(info.run_id),
            config=config,
        )
        self.run, self._mlflow_run = run, mlflow_run
        try:
            run.link = hook.trackmw_build_link(run=run, config=config, task=task)
            if self.plan is not None and self.plan.owns_run and run.link is not None:
                run._writer.set_tags({"trackmw.link": run.link.url})
            if config.autolog:
                self._cleanup.append(_enable_autolog(config))
        except BaseException as exc:
            self.finish(exc)
            raise
        _sigterm.acquire()
        self._cleanup.append(_sigterm.release)

    def _open(self, store: Any, task: TaskInfo, config: ResolvedConfig, plan: RunPlan) -> Any:
        if plan.action == "reuse":
            assert plan.parent is not None
            try:
                return store.get_run(plan.parent.run_id)
            except Exception:
                if plan.parent.local:
                    raise
                log.warning("parent run %s from BAGGAGE not found; starting a new run",
                            plan.parent.run_id)
                self.plan = plan = RunPlan("new")
        if plan.action == "resume":
            assert plan.run_id is not None
            found = store.get_run(plan.run_id)
            store.writer(plan.run_id).set_status("RUNNING")
            return found
        experiment_id = store.experiment_id(config, config.sources)
        name = config.run_name or task.name
        tags = {
            "trackmw.adapter": task.adapter,
            "trackmw.task": task.name,
            "trackmw.run_mode": plan.action,
            **({"trackmw.attempt": str(task.attempt)} if task.attempt != 1 else {}),
            **({"trackmw.orchestrator_link": task.orchestrator_link}
               if task.orchestrator_link else {}),
            **task.tags,
            **{k: str(v) for k, v in config.tags.items()},
            "mlflow.runName": name,
        }
        if plan.action == "nested" and plan.parent is not None:
            tags["mlflow.parentRunId"] = plan.parent.run_id
        return store.create_run(experiment_id, name, tags)

    def bind(self) -> None:
        """Make this task's run current in the calling context (``unbind`` undoes it)."""
        state = self.state
        if state == context.GATED:
            self._bound.append((context.bind(context.GATED), _fluent.bind_gated(), None))
        elif state == context.OFF:
            self._bound.append((context.bind(context.OFF), None, None))
        elif self.run is not None:
            from mlflow import ActiveRun

            first = self._span is _UNSET
            if first:
                self._span = _start_span(self.run, self.task)
            self._bound.append((
                context.bind(self.run, self._span),
                _fluent.bind(ActiveRun(self._mlflow_run), self.run._tracking_uri),
                context.export_baggage(self.run),
            ))
            if first:
                get_plugin_manager().hook.trackmw_run_started(run=self.run, task=self.task)

    def unbind(self) -> None:
        if not self._bound:
            return
        ctx_token, fluent_tokens, baggage = self._bound.pop()
        if baggage is not None:
            context.env_overlays.pop(baggage)
        if fluent_tokens is not None:
            _fluent.unbind(fluent_tokens)
        context.unbind(ctx_token)

    def finish(self, error: BaseException | None = None) -> None:
        """End the run with the status ``error`` implies (never a run it only reuses)."""
        if self.run is None:
            return
        status = status_for(error)
        run, self.run = self.run, None
        try:
            if self.plan is not None and self.plan.owns_run:
                run._writer.set_status(status)
        except Exception as exc:  # noqa: BLE001 - reported loudly, the result is kept
            detail = scrub_text(str(exc))
            log.error("could not end run %s as %s: %s", run.run_id, status, detail)
            warnings.warn(f"trackmw: run {run.run_id} not ended ({detail})", TrackingWarning,
                          stacklevel=3)
        finally:
            if self._span not in (None, _UNSET):
                from trackmw.otel import end_span

                end_span(self._span, status, error)
            self._run_cleanup()
            get_plugin_manager().hook.trackmw_run_ended(
                run=run, status=status, error=error, task=self.task
            )

    def _run_cleanup(self) -> None:
        while self._cleanup:
            self._cleanup.pop()()


def _parent_of(binding: Any, task: TaskInfo) -> ParentRef | None:
    if isinstance(binding, Run):
        return binding.as_parent()
    return task.parent_run or context.parent_from_env()


def _start_span(run: Run, task: TaskInfo) -> Any:
    from trackmw.otel import TRACE_ID_TAG, start_span, trace_id_hex

    span = start_span(run, task)
    if span is not None:
        run._writer.set_tags({TRACE_ID_TAG: trace_id_hex(span)})
    return span


def _enable_autolog(config: ResolvedConfig) -> Callable[[], None]:
    from trackmw.autolog import enable

    return enable(config, dict(config.sources))


class _SigtermAsKill:
    """While runs are live in the main thread, SIGTERM raises SystemExit so runs end KILLED."""

    def __init__(self) -> None:
        self._count = 0
        self._previous: Any = None
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        with self._lock:
            self._count += 1
            if self._count == 1 and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                self._previous = signal.signal(signal.SIGTERM, _raise_system_exit)

    def release(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        with self._lock:
            self._count -= 1
            if self._count == 0 and self._previous is not None:
                signal.signal(signal.SIGTERM, self._previous)
                self._previous = None


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


_sigterm = _SigtermAsKill()


# -- public entry points -------------------------------------------------------------------


def start_run(name: str | None = None, **config: Any) -> RunScope:
    """``with trackmw.start_run(name, **config) as run:`` tracks a block like a task."""
    return RunScope(None, name=name or _caller_name(), explicit=explicit_layer(config))


def _caller_name() -> str:
    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame and frame.f_back else None
    return caller.f_code.co_name if caller and caller.f_code.co_name != "<module>" else (
        os.path.splitext(os.path.basename(caller.f_code.co_filename))[0] if caller else "run"
    )


def track(fn: F | None = None, /, *, name: str | None = None, **config: Any) -> Any:
    """Track a function as a task: ``@track`` or ``@track(run_mode="nested", ...)``.

    Works on ``def``, ``async def`` and generator functions. Config is validated here, so a
    bad key fails at import time, not mid-pipeline.
    """
    explicit = explicit_layer(config)

    def decorate(func: F) -> F:
        def scope() -> RunScope:
            return RunScope(func, name=name, explicit=explicit)

        if inspect.isasyncgenfunction(func):
            return cast(F, _wrap_async_gen(func, scope))
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with scope():
                    return await func(*args, **kwargs)

            return cast(F, async_wrapper)
        if inspect.isgeneratorfunction(func):
            return cast(F, _wrap_gen(func, scope))

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with scope():
                return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate(fn) if fn is not None else decorate


def _wrap_gen(func: Callable[..., Any], scope: Callable[[], RunScope]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        s = scope()
        s.start()
        gen = func(*args, **kwargs)
        error: BaseException | None = None
        try:
            sent: Any = None
            while True:
                s.bind()
                try:
                    item = gen.send(sent)
                except StopIteration as stop:
                    return stop.value
                finally:
                    s.unbind()
                sent = yield item
        except BaseException as exc:
            error = exc
            raise
        finally:
            gen.close()
            s.finish(None if isinstance(error, GeneratorExit) else error)

    return wrapper


def _wrap_async_gen(func: Callable[..., Any], scope: Callable[[], RunScope]) -> Callable[..., Any]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        s = scope()
        s.start()
        agen = func(*args, **kwargs)
        error: BaseException | None = None
        try:
            sent: Any = None
            while True:
                s.bind()
                try:
                    item = await agen.asend(sent)
                except StopAsyncIteration:
                    return
                finally:
                    s.unbind()
                sent = yield item
        except BaseException as exc:
            error = exc
            raise
        finally:
            await agen.aclose()
            s.finish(None if isinstance(error, GeneratorExit) else error)

    return wrapper


def active_run() -> Run | None:
    """The :class:`Run` of the tracked task running here; None when gated, off or outside."""
    return context.active_run()


def resolve_config(**explicit: Any) -> ResolvedConfig:
    """The config a task started here would get, with the layer of each value."""
    hook = get_plugin_manager().hook
    task = hook.trackmw_task_info(fn=None)
    scope = RunScope(None, explicit=explicit_layer(explicit))
    return scope._resolve(hook, task, _parent_of(context.current(), task))
