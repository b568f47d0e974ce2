"""Kedro's hooks mapped onto the trackmw engine.

One run per pipeline run (``before_pipeline_run`` -> ``after_pipeline_run`` /
``on_pipeline_error``); each node is a task of its own that reuses that run by default, or
gets a nested child run with ``run_mode: nested`` for the node. Node inputs ``params:*`` and
``parameters`` are logged as params of the node's run.

State is kept per session id and per node, never in MLflow's global active-run stack, so
sessions never share runs, threads never lose them and ParallelRunner workers (fork or
spawn) find the pipeline's run and config through their environment.
"""

from __future__ import annotations

import atexit
import contextvars
import json
import os
import re
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kedro.framework.hooks import hook_impl

from trackmw import ConfigLayer, Level, ParentRef, RunScope, TrackingWarning
from trackmw_kedro import plugin
from trackmw_kedro.identity import node_task, pipeline_names, pipeline_task
from trackmw_kedro.mlflow_yml import register_header_provider
from trackmw_kedro.project_config import ProjectConfig, from_context

__all__ = ["STATE_ENV", "TrackmwHook", "trackmw_hook"]

#: Carries a pipeline run's node config to ParallelRunner workers (not a ``TRACKMW_`` key).
STATE_ENV = "KEDRO_TRACKMW_STATE"
COEXIST_HINT = (
    "kedro-mlflow's hook is active next to trackmw-kedro: both track this run. Switch one "
    "off in settings.py: DISABLE_HOOKS_FOR_PLUGINS = (\"kedro_mlflow\",) (with the "
    "underscore: \"kedro-mlflow\" silently does nothing), or (\"trackmw-kedro\",)."
)

_created: contextvars.ContextVar[tuple[ProjectConfig, Any] | None] = contextvars.ContextVar(
    "trackmw_kedro_context", default=None
)
_claims: dict[tuple[str, ...], int] = {}
_claims_lock = threading.Lock()
_warned = False


def _claim(key: tuple[str, ...], owner: object) -> bool:
    """Whether ``owner`` handles ``key`` (one TrackmwHook per session, however registered)."""
    with _claims_lock:
        return _claims.setdefault(key, id(owner)) == id(owner)


def _release(session_id: str) -> None:
    """Forget who handled ``session_id`` and its nodes."""
    with _claims_lock:
        for key in [k for k in _claims if k[1] == session_id]:
            del _claims[key]


@dataclass
class _PipelineRun:
    config: ProjectConfig
    pipelines: list[str]
    scope: RunScope | None = None
    parent: ParentRef | None = None
    state: str | None = None
    nodes: dict[str, RunScope] = field(default_factory=dict)
    restore_env: str | None = None
    owner: tuple[int, int] = (0, 0)  # (pid, thread) that began the run


class TrackmwHook:
    """trackmw's Kedro hooks; registered through the ``kedro.hooks`` entry point.

    To list it in ``settings.HOOKS`` instead, use a new instance (``HOOKS =
    (TrackmwHook(),)``): a second instance in the same session stays idle.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, _PipelineRun] = {}
        atexit.register(self._end_interrupted, everywhere=True)

    # -- context ---------------------------------------------------------------------------
    @hook_impl
    def after_context_created(self, context: Any) -> None:
        """Read and validate ``mlflow.yml`` and ``trackmw.yml`` (errors before any run)."""
        config = from_context(context)
        register_header_provider(config.header_provider, context)
        _created.set((config, context))

    # -- pipeline --------------------------------------------------------------------------
    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        session_id = str(run_params.get("run_id"))
        created = _created.get()
        if created is None or not _claim(("session", session_id), self):
            return
        config, context = created
        self._end_interrupted()
        _warn_if_kedro_mlflow(context)
        task = pipeline_task(run_params, config.env)
        names = pipeline_names(run_params)
        plugin.register_task(task, config.pipeline_layers(names))
        scope = RunScope(task=task)
        try:
            run = scope.begin()
        except BaseException:
            _release(session_id)
            raise
        finally:
            plugin.forget(task)
        record = _PipelineRun(config, names, scope, state=scope.state)
        record.owner = (os.getpid(), threading.get_ident())
        if run is not None:
            record.parent = run.as_parent()
        record.restore_env = os.environ.get(STATE_ENV)
        os.environ[STATE_ENV] = _state_json(session_id, record)
        with self._lock:
            self._runs[session_id] = record

    @hook_impl
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        self._end(str(run_params.get("run_id")), None)

    @hook_impl
    def on_pipeline_error(self, error: Exception, run_params: dict[str, Any]) -> None:
        self._end(str(run_params.get("run_id")), error)

    def _end_interrupted(self, everywhere: bool = False) -> None:
        """End KILLED the runs of sessions that never reached an end hook.

        A ``KeyboardInterrupt`` (or ``SystemExit``) escapes Kedro without any hook: such a
        session's run is ended when the next session starts in the same thread, or, with
        ``everywhere``, when the process exits.
        """
        here = (os.getpid(), threading.get_ident())
        with self._lock:
            stale = [sid for sid, record in self._runs.items() if record.scope is not None
                     and (record.owner == here or everywhere and record.owner[0] == here[0])]
        for session_id in stale:
            self._end(session_id, KeyboardInterrupt())

    def _end(self, session_id: str, error: BaseException | None) -> None:
        with self._lock:
            record = self._runs.pop(session_id, None)
        if record is None:
            return
        try:
            for scope in list(record.nodes.values()):  # a node another hook stopped
                scope.end(error)
        finally:
            if record.restore_env is None:
                os.environ.pop(STATE_ENV, None)
            else:
                os.environ[STATE_ENV] = record.restore_env
            _release(session_id)
            if record.scope is not None:
                record.scope.end(error)

    # -- nodes -----------------------------------------------------------------------------
    @hook_impl
    def before_node_run(
        self, node: Any, inputs: dict[str, Any], run_id: str | None = None
    ) -> None:
        session_id = str(run_id)
        record = self._record(session_id)
        if record is None:
            return
        if not _claim(("node", session_id, node.name), self):
            return
        task = node_task(node.name, session_id, record.parent)
        layers, explicit = record.config.node_layers(node.name, record.pipelines)
        if record.state == "off":
            # no run; MLflow calls in the node are dropped instead of auto-starting a stray
            # run that would stay active after the session (the gated-rank null store)
            layers, explicit = [], ConfigLayer.build("tracking disabled for the pipeline",
                                                     Level.EXPLICIT, {"rank": 1})
        plugin.register_task(task, layers)
        scope = RunScope(task=task, explicit=explicit)
        try:
            run = scope.begin()
        finally:
            plugin.forget(task)
        try:
            params = node_params(inputs)
            if run is not None and params:
                run.log_params(params)
        except BaseException as exc:
            scope.end(exc)
            raise
        with self._lock:
            record.nodes[node.name] = scope

    @hook_impl
    def after_node_run(self, node: Any, run_id: str | None = None) -> None:
        self._end_node(str(run_id), node.name, None)

    @hook_impl
    def on_node_error(self, error: Exception, node: Any, run_id: str | None = None) -> None:
        self._end_node(str(run_id), node.name, error)

    def _end_node(self, session_id: str, name: str, error: BaseException | None) -> None:
        with self._lock:
            record = self._runs.get(session_id)
            scope = record.nodes.pop(name, None) if record is not None else None
        if scope is not None:
            scope.end(error)

    def _record(self, session_id: str) -> _PipelineRun | None:
        """This session's pipeline run: in memory, or (a spawned worker) from the env."""
        with self._lock:
            record = self._runs.get(session_id)
            if record is None:
                record = _record_from_env(session_id)
                if record is not None:
                    self._runs[session_id] = record
            return record


def node_params(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A node's ``params:x`` inputs as ``x``, and ``parameters`` as itself; keys made valid
    MLflow names (as kedro-mlflow does)."""
    found: dict[str, Any] = {}
    for name, value in inputs.items():
        if name.startswith("params:"):
            found[name[len("params:"):]] = value
        elif name == "parameters":
            found[name] = value
    return {re.sub(r"[^/\w.\- :]", "_", key): value for key, value in found.items()}


def _state_json(session_id: str, record: _PipelineRun) -> str:
    return json.dumps({"session_id": session_id, "state": record.state,
                       "pipelines": record.pipelines,
                       "config": record.config.to_json()})


def _record_from_env(session_id: str) -> _PipelineRun | None:
    text = os.environ.get(STATE_ENV)
    if not text:
        return None
    data = json.loads(text)
    if data["session_id"] != session_id:
        return None
    # the parent run comes from BAGGAGE, exported by the pipeline's run in the main process
    return _PipelineRun(ProjectConfig.from_json(data["config"]), data["pipelines"],
                        state=data["state"])


def _warn_if_kedro_mlflow(context: Any) -> None:
    global _warned
    if _warned or type(getattr(context, "mlflow", None)).__name__ != "KedroMlflowConfig":
        return
    _warned = True
    warnings.warn(COEXIST_HINT, TrackingWarning, stacklevel=2)


trackmw_hook = TrackmwHook()
