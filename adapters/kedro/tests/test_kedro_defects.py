"""The five kedro-mlflow 2.0.3 defects (issue 6), each fixed in trackmw-kedro and tested here.

Every test runs real ``KedroSession``s of a real project (``kedro_project.py``) against a
real SQLite store and reads the results back with ``MlflowClient``. Where it is fast enough,
a companion ``test_..._kedro_mlflow_...`` runs the same scenario with kedro-mlflow's hook
instead (same ``mlflow.yml``) and asserts what kedro-mlflow does wrong; the others say it in
their docstring.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import pytest
from kedro_project import all_runs, run, runs_of

import trackmw

TRAIN_PARAMS = {"split", "model", "audit", "parameters"}

# -- 1: no active run leaks out of a session ------------------------------------------------


def test_defect1_no_active_run_after_session(project: Callable[..., Path], client: Any) -> None:
    root = project()
    assert mlflow.active_run() is None
    run(root, "train")
    assert mlflow.active_run() is None
    assert trackmw.active_run() is None
    (only,) = runs_of(client)
    assert only.info.status == "FINISHED"
    assert set(only.data.params) == TRAIN_PARAMS


@pytest.mark.usefixtures("kedro_mlflow_cleanup")
def test_defect1_kedro_mlflow_leaks_active_run(project: Callable[..., Path]) -> None:
    """kedro-mlflow: each node's ``start_run(run_id, nested=True)`` pushes the pipeline's run
    again, ``after_pipeline_run`` pops one: the run stays active after the session."""
    run(project(plugins="kedro-mlflow"), "train")
    assert mlflow.active_run() is not None


# -- 2: a second session never reuses or reopens the first one's run ----------------------


def test_defect2_second_session_gets_its_own_run(
    project: Callable[..., Path], client: Any
) -> None:
    root = project({"tracking": {"disable_tracking": {"pipelines": ["other"]}}})
    run(root, "train")
    (first,) = runs_of(client)
    run(root, "train")
    runs = runs_of(client)
    assert len(runs) == 2 and runs[0].info.run_id == first.info.run_id
    assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
    assert all(set(r.data.params) == TRAIN_PARAMS for r in runs)
    run(root, "other")  # tracking disabled for this pipeline: no run of its own
    after = {r.info.run_id: r for r in runs_of(client)}
    assert set(after) == {r.info.run_id for r in runs}
    for before in runs:
        again = after[before.info.run_id]
        assert (again.info.status, again.info.end_time) == ("FINISHED", before.info.end_time)
        assert again.data.params == before.data.params


@pytest.mark.usefixtures("kedro_mlflow_cleanup")
def test_defect2_kedro_mlflow_reopens_first_run(
    project: Callable[..., Path], client: Any
) -> None:
    """kedro-mlflow: the second session finds the leaked run active and reuses it; a second
    pipeline whose tracking is disabled still reopens it (``before_node_run`` restarts the
    hook's stale ``run_id``), leaving the first session's run RUNNING."""
    root = project({"tracking": {"disable_tracking": {"pipelines": ["other"]}}},
                   plugins="kedro-mlflow")
    run(root, "train")
    run(root, "other")
    (only,) = runs_of(client)
    assert only.info.status == "RUNNING"


# -- 3: ThreadRunner and ParallelRunner (spawn) log into the pipeline's run ---------------


def test_defect3_thread_runner_params_in_pipeline_run(
    project: Callable[..., Path], client: Any
) -> None:
    run(project(), "train", runner="thread")
    (only,) = all_runs(client)
    assert set(only.data.params) == TRAIN_PARAMS
    assert set(only.data.metrics) == {"rows", "score"}
    assert only.info.status == "FINISHED"


@pytest.fixture
def spawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """ParallelRunner workers started with spawn (``KEDRO_MP_CONTEXT=spawn``)."""
    monkeypatch.setenv("KEDRO_MP_CONTEXT", "spawn")


@pytest.mark.usefixtures("spawn")
def test_defect3_parallel_spawn_params_in_pipeline_run_or_nested_child(
    project: Callable[..., Path], client: Any
) -> None:
    """Spawned workers get the run from ``BAGGAGE`` and the node config from the pipeline's
    hook; ``fit`` is configured nested, the other nodes reuse the pipeline's run.

    Kedro never loads settings.py in a spawned worker (its ``PACKAGE_NAME`` is None there),
    so every installed plugin's hook runs in the workers, ``DISABLE_HOOKS_FOR_PLUGINS``
    notwithstanding. kedro-mlflow, installed here for comparison, thereby shows its own
    defect in this very run: its worker hooks never saw ``after_context_created`` nor
    ``before_pipeline_run``, so ``mlflow.log_param`` starts stray runs in the default
    experiment, holding the params the pipeline's run should have. None of them holds
    anything of trackmw's."""
    root = project(trackmw_yml={"nodes": {"fit": {"run_mode": "nested"}}})
    run(root, "train", runner="parallel")
    runs = {r.data.tags["trackmw.task"]: r for r in runs_of(client)}
    assert set(runs) == {"train", "fit"}, "a stray run was created"
    strays = [r for r in all_runs(client) if r.info.run_id not in
              {r.info.run_id for r in runs.values()}]
    assert all(not r.data.metrics and "trackmw.adapter" not in r.data.tags for r in strays)
    if importlib.util.find_spec("kedro_mlflow"):  # kedro-mlflow's hook, in the workers
        assert {"model", "parameters"} <= {k for r in strays for k in r.data.params}
    parent, fit = runs["train"], runs["fit"]
    assert set(parent.data.params) == {"split", "audit", "parameters"}
    assert set(parent.data.metrics) == {"score"}
    assert fit.data.params == {"model": str({"alpha": 0.5,
                                             "solver": {"name": "lbfgs", "tol": 0.001}})}
    assert fit.data.metrics == {"rows": 40.0}
    assert fit.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert {r.info.status for r in runs.values()} == {"FINISHED"}


# -- 4: a pipeline error ends the run FAILED under every runner ---------------------------


@pytest.mark.parametrize("runner", ["sequential", "thread", "parallel"])
def test_defect4_pipeline_error_run_failed(
    project: Callable[..., Path], client: Any, runner: str
) -> None:
    """The node's own error surfaces unchanged; the pipeline's run and the failing node's
    nested run end FAILED, the finished node's FINISHED; nothing stays active."""
    root = project(trackmw_yml={"nodes": {"explode": {"run_mode": "nested"}}})
    with pytest.raises(ValueError, match="explode-node"):
        run(root, "broken", runner=runner)
    runs = {r.data.tags["trackmw.task"]: r for r in all_runs(client)}
    assert set(runs) == {"broken", "explode"}
    assert runs["broken"].info.status == "FAILED"
    assert runs["broken"].data.params == {"split": str({"rows": 40, "test_size": 0.25})}
    assert runs["explode"].info.status == "FAILED"
    assert runs["explode"].data.tags["mlflow.parentRunId"] == runs["broken"].info.run_id
    assert mlflow.active_run() is None


@pytest.mark.usefixtures("kedro_mlflow_cleanup")
def test_defect4_kedro_mlflow_failed_pipeline_run_not_failed(
    project: Callable[..., Path], client: Any
) -> None:
    """kedro-mlflow: after one session the leaked run makes the next session "already
    active", and then ``on_pipeline_error`` does not close it: the failed pipeline's run
    stays RUNNING. In a thread with no active run its ``on_pipeline_error`` raises
    ``UnboundLocalError`` (``pipeline_run_id_is_closed``, kedro-mlflow issue #645) over
    the pipeline's own error; trackmw-kedro never reads MLflow's per-thread stack."""
    root = project(plugins="kedro-mlflow")
    run(root, "train")
    with pytest.raises(ValueError, match="explode-node"):
        run(root, "broken")
    assert "FAILED" not in {r.info.status for r in runs_of(client)}


# -- 5: long params at MLflow's real limits -------------------------------------------------


def _long_run(project: Callable[..., Path], client: Any, strategy: str, value: Any,
              flatten: bool = False) -> Any:
    params = {"long_params_strategy": strategy,
              "dict_params": {"flatten": flatten}}
    root = project({"tracking": {"params": params}}, parameters={"long": value})
    run(root, "long")
    (found,) = runs_of(client)
    return found


def test_defect5_values_at_6000_characters(project: Callable[..., Path], client: Any) -> None:
    """Each strategy acts exactly past MLflow's 6000-character value limit. kedro-mlflow's
    template and docs put the limit at 250 ("truncate it to its 250 first letters")."""
    assert _long_run(project, client, "fail", "a" * 6000).data.params["long"] == "a" * 6000


@pytest.mark.parametrize("strategy", ["tag", "truncate"])
def test_defect5_value_over_6000_kept_by_strategy(
    project: Callable[..., Path], client: Any, strategy: str
) -> None:
    found = _long_run(project, client, strategy, "b" * 6001)
    assert found.info.status == "FINISHED"
    if strategy == "truncate":
        assert found.data.params["long"] == "b" * 6000
    else:
        assert "long" not in found.data.params
        assert found.data.tags["param.long"] == "b" * 6001


def test_defect5_value_over_6000_fails_run(project: Callable[..., Path], client: Any) -> None:
    root = project({"tracking": {"params": {"long_params_strategy": "fail"}}},
                   parameters={"long": "c" * 6001})
    with pytest.raises(trackmw.ParamError, match="6000"):
        run(root, "long")
    (found,) = runs_of(client)
    assert found.info.status == "FAILED" and found.data.params == {}


@pytest.mark.parametrize(("length", "ok"), [(250, True), (251, False)])
def test_defect5_flattened_keys_at_250_characters(
    project: Callable[..., Path], client: Any, length: int, ok: bool
) -> None:
    """A flattened key is checked against MLflow's 250-character key limit before anything is
    sent: kedro-mlflow checks no key, so the store rejects it mid-node whatever the strategy."""
    inner = "k" * (length - len("long."))
    root = project({"tracking": {"params": {"long_params_strategy": "truncate",
                                            "dict_params": {"flatten": True}}}},
                   parameters={"long": {inner: 1}})
    if ok:
        run(root, "long")
        assert runs_of(client)[0].data.params == {f"long.{inner}": "1"}
    else:
        with pytest.raises(trackmw.ParamError, match="250"):
            run(root, "long")
        assert runs_of(client)[0].info.status == "FAILED"


def test_defect5_tag_strategy_never_overwrites_run_tags(
    project: Callable[..., Path], client: Any
) -> None:
    """A long param goes to tag ``param.<key>``, so ``env`` cannot clobber ``kedro.env``."""
    root = project({"tracking": {"params": {"long_params_strategy": "tag"}}},
                   parameters={"env": "e" * 6001})
    run(root, "env_param")
    (found,) = runs_of(client)
    assert found.data.tags["kedro.env"] == "local"
    assert found.data.tags["param.env"] == "e" * 6001


@pytest.mark.usefixtures("kedro_mlflow_cleanup")
def test_defect5_kedro_mlflow_tag_strategy_overwrites_run_tags(
    project: Callable[..., Path], client: Any
) -> None:
    """kedro-mlflow's ``tag`` strategy sets the tag under the param's own name: a long param
    ``env`` replaces the run's ``env`` tag (``local``)."""
    root = project({"tracking": {"params": {"long_params_strategy": "tag"}}},
                   parameters={"env": "e" * 6001}, plugins="kedro-mlflow")
    run(root, "env_param")
    (found,) = runs_of(client)
    assert found.data.tags["env"] == "e" * 6001
