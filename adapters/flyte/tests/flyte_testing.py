"""Helpers for trackmw-flyte's tests (a uniquely named module: every adapter has a conftest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["run_in_worker", "run_local"]

HERE = Path(__file__).parent


def run_local(task: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
    """Run ``task`` as a real Flyte local execution; returns its output."""
    import flyte

    run = flyte.with_runcontext(mode="local", custom_context=dict(context or {})).run(
        task, *args, **kwargs)
    return run.outputs()[0] if run.outputs() else None


def run_in_worker(target: str, context: dict[str, str]) -> None:
    """Run ``module:task`` in a fresh process as a remote Flyte worker would (no BAGGAGE)."""
    env = {k: v for k, v in os.environ.items() if k not in ("BAGGAGE", "TRACEPARENT")}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, str(HERE / "flyte_worker.py"), target, json.dumps(context)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
