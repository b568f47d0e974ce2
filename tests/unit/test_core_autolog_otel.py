"""Autolog on a real scikit-learn fit; OpenTelemetry spans with the SDK's exporter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from mlflow.utils.autologging_utils import autologging_is_disabled

import trackmw


def _fit() -> None:
    from sklearn.linear_model import LinearRegression

    xs = [[float(i), float(i % 4)] for i in range(30)]
    LinearRegression().fit(xs, [3.0 * a + b for a, b in xs])


def test_autolog_real_fit_lands_in_the_tasks_run(sqlite_store) -> None:
    @trackmw.track(autolog=True, framework="sklearn", log_models=False)
    def train() -> str:
        _fit()
        return trackmw.active_run().run_id

    run = sqlite_store.run(train())
    assert run.data.params["fit_intercept"] == "True"
    assert "training_r2_score" in run.data.metrics
    assert autologging_is_disabled("sklearn"), "autolog stayed on after the task"
    assert len(sqlite_store.runs()) == 1, "autolog started a run of its own"


FORKED = """
import multiprocessing, sys
from concurrent.futures import ThreadPoolExecutor
import trackmw
from sklearn.linear_model import LinearRegression

@trackmw.track(autolog=True, framework="sklearn", log_models=False, run_mode="new")
def train(i: int = 0) -> None:
    xs = [[float(i), float(i % 4)] for i in range(30)]
    LinearRegression().fit(xs, [3.0 * a + b for a, b in xs])

with ThreadPoolExecutor(4) as pool:  # concurrent autologged fits: MLflow's writer pool grows
    list(pool.map(train, range(8)))
child = multiprocessing.get_context("fork").Process(target=train)
child.start()
child.join(60)
if child.exitcode is None:
    child.kill()
sys.exit(0 if child.exitcode == 0 else 3)
"""


def test_autolog_in_a_forked_worker_after_the_parent_autologged(sqlite_store) -> None:
    """A forked child inherits MLflow's autolog thread pool without its threads: its first
    flush would wait forever (Kedro's ParallelRunner, multiprocessing pools)."""
    done = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True,
                          timeout=240, env=dict(os.environ))
    assert done.returncode == 0, f"forked autolog hung or failed: {done.stderr[-2000:]}"
    runs = sqlite_store.runs()
    assert len(runs) == 9  # 8 in the parent's threads, then the forked child's
    assert "training_r2_score" in runs[-1].data.metrics, "the child's fit was not autologged"
    assert {r.info.status for r in runs} == {"FINISHED"}


def test_explicit_autolog_false_beats_environment(sqlite_store,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKMW_AUTOLOG", "true")
    monkeypatch.setenv("TRACKMW_FRAMEWORK", "sklearn")

    @trackmw.track(autolog=False)
    def train() -> str:
        _fit()
        return trackmw.active_run().run_id

    assert sqlite_store.run(train()).data.params == {}


def test_unknown_framework_is_a_config_error(sqlite_store) -> None:
    @trackmw.track(autolog=True, framework="sklearnn")
    def train() -> None:
        raise AssertionError("must not run")

    with pytest.raises(trackmw.ConfigError, match="'framework'.*sklearn"):
        train()
    assert sqlite_store.runs() == []


OTEL = """
import json, trackmw
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
@trackmw.track
def task():
    inner = trace.get_current_span().get_span_context()
    return trackmw.active_run().run_id, format(inner.trace_id, "032x")
run_id, current = task()
spans = exporter.get_finished_spans()
print(json.dumps({"run_id": run_id, "current": current, "spans": [
    {"name": s.name, "attributes": dict(s.attributes),
     "trace_id": format(s.context.trace_id, "032x")} for s in spans]}))
"""


def test_run_is_a_span_when_an_sdk_is_configured(sqlite_store) -> None:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(OTEL)], capture_output=True,
                          text=True, timeout=180, env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    (span,) = out["spans"]
    run = sqlite_store.run(out["run_id"])
    assert span["name"].startswith("trackmw ")
    assert span["attributes"]["trackmw.run_id"] == run.info.run_id
    assert span["attributes"]["trackmw.experiment_id"] == run.info.experiment_id
    assert span["attributes"]["trackmw.adapter"] == run.data.tags["trackmw.adapter"]
    assert span["attributes"]["trackmw.status"] == "FINISHED"
    assert run.data.tags["trackmw.trace_id"] == span["trace_id"] == out["current"]


def test_no_sdk_no_span_no_trace_tag(sqlite_store) -> None:
    @trackmw.track
    def task() -> str:
        return trackmw.active_run().run_id

    assert "trackmw.trace_id" not in sqlite_store.run(task()).data.tags
