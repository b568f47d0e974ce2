"""The active trackmw run across threads, asyncio tasks and processes.

In a process, the run is a value in the OpenTelemetry context (contextvars), so each
asyncio task and each thread sees its own. Across processes it travels as W3C baggage
(``trackmw.run_id``, ``trackmw.experiment_id``, ``trackmw.tracking_uri``) in the
``BAGGAGE`` environment variable, next to ``TRACEPARENT``.
"""

from __future__ import annotations

import contextvars
import functools
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from trackmw.task import ParentRef

if TYPE_CHECKING:
    from trackmw.run import Run

__all__ = [
    "GATED",
    "OFF",
    "active_run",
    "bind",
    "bind_context",
    "current",
    "parent_from_env",
    "parse_baggage",
    "propagation_env",
    "unbind",
]

T = TypeVar("T")
BAGGAGE_PREFIX = "trackmw."
GATED = "gated"  # a task on a non-zero rank: no run, nothing logged
OFF = "off"  # tracking disabled for this task

_key: str | None = None


def _run_key() -> str:
    global _key
    if _key is None:
        from opentelemetry import context as otel_context

        _key = otel_context.create_key("trackmw-run")
    return _key


def current() -> Run | str | None:
    """The innermost binding: a :class:`Run`, :data:`GATED`, :data:`OFF`, or None."""
    if _key is None:
        return None
    from opentelemetry import context as otel_context

    return otel_context.get_value(_key)  # type: ignore[return-value]


def active_run() -> Run | None:
    """The run of the tracked task being executed here, or None."""
    value = current()
    return None if isinstance(value, str) or value is None else value


def bind(value: Run | str, span: Any = None) -> object:
    """Make ``value`` (and its ``span``) current here; returns a token for :func:`unbind`."""
    from opentelemetry import baggage
    from opentelemetry import context as otel_context

    ctx = otel_context.set_value(_run_key(), value)
    if span is not None:
        from opentelemetry import trace

        ctx = trace.set_span_in_context(span, ctx)
    if not isinstance(value, str):
        for name, item in _baggage_items(value).items():
            ctx = baggage.set_baggage(name, item, context=ctx)
    return otel_context.attach(ctx)


def unbind(token: object) -> None:
    """Restore the context from before :func:`bind` (tolerates a foreign context)."""
    from opentelemetry import context as otel_context

    runtime = getattr(otel_context, "_RUNTIME_CONTEXT", None)  # detach() only logs failures
    try:
        (runtime.detach if runtime is not None else otel_context.detach)(token)  # type: ignore[arg-type]
    except ValueError:
        # bound in another context (e.g. a hook-driven orchestrator): drop our value here.
        otel_context.attach(otel_context.set_value(_run_key(), None))


def _baggage_items(run: Run) -> dict[str, str]:
    items = {"run_id": run.run_id, "experiment_id": run.experiment_id}
    uri = run.tracking_uri
    if uri and uri == run._tracking_uri:  # never carry a URI with credentials
        items["tracking_uri"] = uri
    return {BAGGAGE_PREFIX + k: v for k, v in items.items()}


def bind_context(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` tied to the current context: each call runs in a fresh copy of it.

    Threads start with an empty context; submit ``bind_context(task)`` to a thread pool so
    tracked code in the worker finds this task's run as its parent.
    """
    captured = contextvars.copy_context()

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> T:
        return captured.copy().run(fn, *args, **kwargs)

    return call


def propagation_env(run: Run | None = None) -> dict[str, str]:
    """``BAGGAGE`` (and ``TRACEPARENT`` when a span is live) for a worker process.

    Pass it in a subprocess's ``env`` so the worker finds ``run`` (default: the active
    run) as its parent. trackmw also exports it to ``os.environ`` while a run is live.
    """
    from opentelemetry import baggage, propagate
    from opentelemetry import context as otel_context

    run = run or active_run()
    ctx = otel_context.get_current()
    if run is not None:
        for name, item in _baggage_items(run).items():
            ctx = baggage.set_baggage(name, item, context=ctx)
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=ctx)
    return {key.upper(): value for key, value in carrier.items()}


def parse_baggage(text: str) -> ParentRef | None:
    """The run named by a W3C baggage string (e.g. copied into an orchestrator context)."""
    if BAGGAGE_PREFIX + "run_id" not in text:
        return None
    from opentelemetry import baggage
    from opentelemetry.baggage.propagation import W3CBaggagePropagator

    values: Mapping[str, object] = baggage.get_all(W3CBaggagePropagator().extract(
        {"baggage": text}))
    run_id = values.get(BAGGAGE_PREFIX + "run_id")
    if not run_id:
        return None
    return ParentRef(
        run_id=str(run_id),
        experiment_id=str(values.get(BAGGAGE_PREFIX + "experiment_id", "")),
        tracking_uri=str(values.get(BAGGAGE_PREFIX + "tracking_uri") or "") or None,
        local=False,
    )


def parent_from_env(environ: Mapping[str, str] | None = None) -> ParentRef | None:
    """The parent run a launching process put in ``BAGGAGE``, if any."""
    environ = os.environ if environ is None else environ
    text = environ.get("BAGGAGE", "")
    if env_overlays.owns("BAGGAGE", text):
        # Our own export names whichever run started last here, which is ambiguous for a
        # thread with a fresh context: in-process parents travel by context only.
        return None
    return parse_baggage(text)


class EnvOverlays:
    """Process environment overlays that live as long as a run (credentials, baggage).

    Overlays stack: the newest one that sets a variable wins; when the last overlay that
    sets it is removed, the variable gets back its original value (or goes away).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stack: list[tuple[object, Mapping[str, str]]] = []
        self._original: dict[str, str | None] = {}
        self._pid = os.getpid()

    def push(self, values: Mapping[str, str]) -> object:
        handle = object()
        with self._lock:
            self._pid = os.getpid()
            for key in values:
                self._original.setdefault(key, os.environ.get(key))
            self._stack.append((handle, dict(values)))
            os.environ.update(values)
        return handle

    def owns(self, key: str, value: str) -> bool:
        """Whether ``value`` of ``key`` was set by a live overlay of this process."""
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's exports are inherited
                return False
            return any(vals.get(key) == value for _, vals in self._stack)

    def pop(self, handle: object) -> None:
        with self._lock:
            popped = [vals for h, vals in self._stack if h is handle]
            self._stack = [(h, vals) for h, vals in self._stack if h is not handle]
            for key in {k for vals in popped for k in vals}:
                value = next((v[key] for _, v in reversed(self._stack) if key in v), None)
                if value is None:
                    value = self._original.pop(key)
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


env_overlays = EnvOverlays()


def export_baggage(run: Run) -> object:
    """Put ``run`` in ``os.environ['BAGGAGE']`` so child processes find it."""
    return env_overlays.push(propagation_env(run))

