"""trackmw: one MLflow run lifecycle for every workflow engine.

``import trackmw`` is light: MLflow and orchestrators are imported when a run starts.
"""

from __future__ import annotations

from trackmw.config import ConfigLayer, Level, ResolvedConfig, TrackingConfig, tracking_config
from trackmw.context import bind_context, env_overlays, parse_baggage, propagation_env
from trackmw.engine import (
    RunScope,
    TrackingWarning,
    active_run,
    resolve_config,
    start_run,
    track,
)
from trackmw.errors import ConfigError, ParamError, TrackingError, TrackmwError
from trackmw.hookspecs import hookimpl, hookspec
from trackmw.links import Link
from trackmw.plan import RunPlan
from trackmw.plugins import register
from trackmw.run import Run
from trackmw.task import ParentRef, TaskInfo

__all__ = [
    "ConfigError",
    "ConfigLayer",
    "Level",
    "Link",
    "ParamError",
    "ParentRef",
    "ResolvedConfig",
    "Run",
    "RunPlan",
    "RunScope",
    "TaskInfo",
    "TrackingConfig",
    "TrackingError",
    "TrackingWarning",
    "TrackmwError",
    "active_run",
    "bind_context",
    "env_overlays",
    "hookimpl",
    "hookspec",
    "parse_baggage",
    "propagation_env",
    "register",
    "resolve_config",
    "start_run",
    "track",
    "tracking_config",
]
__version__ = "0.1.0"
