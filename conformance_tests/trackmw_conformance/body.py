"""What every conformance task body does: perform its steps and record what it saw."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from trackmw_conformance.harness import TaskSpec

__all__ = ["OUT_ENV", "ConformanceError", "run_body", "run_body_async"]

OUT_ENV = "TRACKMW_CONFORMANCE_OUT"


class ConformanceError(RuntimeError):
    """Raised by a ``raise`` step; the suite checks the user sees this same error."""


def run_body(spec: TaskSpec) -> dict[str, Any]:
    """Run ``spec``'s steps inside the task and record an observation for the suite."""
    seen = _observe(spec)
    try:
        for step in spec.steps:
            _perform(step.op, step.args)
    finally:
        _record(spec, seen)
    return seen


async def run_body_async(spec: TaskSpec) -> dict[str, Any]:
    """The async twin of :func:`run_body`; yields to the loop between steps."""
    seen = _observe(spec)
    try:
        for step in spec.steps:
            await asyncio.sleep(0)
            if step.op == "sleep":
                await asyncio.sleep(float(step.args[0]))
            elif step.op == "cancel":
                raise asyncio.CancelledError()
            else:
                _perform(step.op, step.args)
    finally:
        _record(spec, seen)
    return seen


def _observe(spec: TaskSpec) -> dict[str, Any]:
    import trackmw

    run = trackmw.active_run()
    return {
        "task": spec.name,
        "mlflow_imported": "mlflow" in sys.modules,
        "run_id": run.run_id if run else None,
        "pid": os.getpid(),
        "thread": threading.get_ident(),
    }


def _record(spec: TaskSpec, seen: dict[str, Any]) -> None:
    seen["mlflow_imported_after"] = "mlflow" in sys.modules
    if "mlflow" in sys.modules:
        seen["fluent_run_id"] = getattr(sys.modules["mlflow"].active_run(), "info", None) and (
            sys.modules["mlflow"].active_run().info.run_id
        )
    out = os.environ.get(OUT_ENV)
    if out:
        Path(out, f"{spec.name}.json").write_text(json.dumps(seen))


def _perform(op: str, args: tuple[Any, ...]) -> None:
    if op == "log_param":
        import mlflow

        mlflow.log_param(args[0], args[1])
    elif op == "log_metric":
        import mlflow

        mlflow.log_metric(args[0], float(args[1]))
    elif op == "run_param":
        import trackmw

        run = trackmw.active_run()
        if run is not None:
            run.log_param(args[0], args[1])
    elif op == "raise":
        raise ConformanceError(args[0])
    elif op == "interrupt":
        raise KeyboardInterrupt()
    elif op == "cancel":
        raise asyncio.CancelledError()
    elif op == "sleep":
        time.sleep(float(args[0]))
    elif op == "fit":
        from sklearn.linear_model import LinearRegression

        xs = [[float(i), float(i % 3)] for i in range(20)]
        LinearRegression().fit(xs, [2.0 * x[0] + x[1] for x in xs])
    else:
        raise ValueError(f"unknown conformance step {op!r}")
