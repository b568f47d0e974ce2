"""The seven flyteplugins-mlflow 2.12 defects (issue 4), each fixed and tested here.

Every test runs real Flyte local executions against a real MLflow store and reads the result
back with ``MlflowClient``. Each docstring says what flyteplugins-mlflow 2.12.1 does instead
(reproduced with the same scenario and ``from flyteplugins.mlflow import ...``).
"""

from __future__ import annotations

import asyncio
from concurrent import futures
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flyte
import pytest
from flyte_testing import run_in_worker, run_local
from trackmw_flyte import Mlflow, get_mlflow_context, get_mlflow_run, mlflow_config, mlflow_run

import trackmw

env = flyte.TaskEnvironment(name="defects")
HERE = Path(__file__).parent


def runs_of(client: Any, experiment_id: str = "0") -> list[Any]:
    return client.search_runs([experiment_id])


# -- 1: a failing task ends FAILED, a cancelled one KILLED --------------------------------


@mlflow_run
@env.task
def fails() -> None:
    import mlflow

    mlflow.log_param("before", "yes")
    raise ValueError("boom-defect-1")


@mlflow_run
@env.task
async def cancelled() -> None:
    raise asyncio.CancelledError()


def test_defect1_failing_task_run_failed(client: Any) -> None:
    """flyteplugins-mlflow ends the run FINISHED (its ``finally`` calls end_run FINISHED)."""
    with pytest.raises(Exception, match="boom-defect-1"):
        run_local(fails)
    (run,) = runs_of(client)
    assert run.info.status == "FAILED"
    assert run.data.params == {"before": "yes"}


def test_defect1_cancelled_task_run_killed(client: Any) -> None:
    """flyteplugins-mlflow ends a cancelled task's run FINISHED."""
    # Flyte's sync front end re-raises it as the future's CancelledError
    with pytest.raises((asyncio.CancelledError, futures.CancelledError)):
        run_local(cancelled)
    (run,) = runs_of(client)
    assert run.info.status == "KILLED"


# -- 2: async siblings own their runs; `new` has no parent tag ----------------------------


@mlflow_run(run_mode="nested")
@env.task
async def sibling(i: int) -> str:
    import mlflow

    for step in range(5):
        mlflow.log_metric(f"m{i}", step, step=step)
        await asyncio.sleep(0.01 * (3 - i))
    return get_mlflow_run().info.run_id


@mlflow_run(run_mode="new")
@env.task
async def independent() -> str:
    return get_mlflow_run().info.run_id


@mlflow_run
@env.task
async def fan_out() -> list[str]:
    ids = await asyncio.gather(*(sibling(i) for i in range(3)))
    return [*ids, await independent()]


def test_defect2_async_siblings_own_exactly_their_runs(client: Any) -> None:
    """flyteplugins-mlflow: one sibling's run gets m0, m1 and m2, the others one point each,
    siblings nest under each other, and every run but one ends early."""
    *sibling_ids, new_id = run_local(fan_out)
    runs = {r.info.run_id: r for r in runs_of(client)}
    parent = next(r for r in runs.values() if r.data.tags["trackmw.task"] == "fan_out")
    assert len(set(sibling_ids)) == 3
    for i, run_id in enumerate(sibling_ids):
        run = runs[run_id]
        assert run.data.tags["mlflow.parentRunId"] == parent.info.run_id
        history = client.get_metric_history(run_id, f"m{i}")
        assert [m.value for m in history] == [0, 1, 2, 3, 4]
        assert set(run.data.metrics) == {f"m{i}"}
        assert run.info.status == "FINISHED"
    assert "mlflow.parentRunId" not in runs[new_id].data.tags, "a new run has no parent"
    assert parent.info.status == "FINISHED"


# -- 3: rank gating --------------------------------------------------------------------------


@mlflow_run
@env.task
def ranked() -> str:
    import mlflow

    mlflow.log_metric("x", 1.0)
    mlflow.log_param("p", "v")
    return "ran" if get_mlflow_run() is None else "tracked"


@pytest.mark.parametrize("variable", ["RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK"])
def test_defect3_gated_rank_logs_nothing_anywhere(
    client: Any, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """flyteplugins-mlflow reads only RANK, and on RANK=1 ``mlflow.log_metric`` creates a
    stray run in the default store (MLFLOW_TRACKING_URI, here ``client``'s store)."""
    monkeypatch.setenv(variable, "1")
    assert run_local(ranked) == "ran"
    assert client.search_experiments() and all(
        not runs_of(client, e.experiment_id) for e in client.search_experiments()
    )


def test_defect3_non_integer_rank_does_not_crash(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flyteplugins-mlflow crashes: ``int('abc')`` ValueError. trackmw ignores the value."""
    monkeypatch.setenv("RANK", "abc")
    assert run_local(ranked) == "tracked"
    assert len(runs_of(client)) == 1


# -- 4: context values keep their types; unknown keys -------------------------------------


@mlflow_run
@env.task
def reads_context() -> str:
    config = get_mlflow_context()
    name = config.run_name if config else None
    return f"{type(name).__name__}:{name}"


def test_defect4_context_strings_stay_strings(client: Any) -> None:
    """flyteplugins-mlflow JSON-decodes context values: run_name "123" becomes the int 123."""
    experiment_id = client.create_experiment("numeric")
    context = mlflow_config(run_name="123", experiment_id=experiment_id)
    assert run_local(reads_context, context=context) == "str:123"
    (run,) = runs_of(client, experiment_id)
    assert run.info.run_name == "123"


def test_defect4_unrelated_mlflow_key_is_ignored(client: Any) -> None:
    """flyteplugins-mlflow crashes on any ``mlflow_*`` key it does not know:
    ``_MLflowConfig.__init__() got an unexpected keyword argument 'team'``."""
    assert run_local(reads_context, context={"mlflow_team": "x"}) == "NoneType:None"
    assert len(runs_of(client)) == 1


def test_defect4_unknown_trackmw_key_rejected_clearly(client: Any) -> None:
    """A misspelt trackmw key fails before any run, naming the key and the allowed keys."""
    with pytest.raises(Exception) as caught:
        run_local(reads_context, context={"trackmw.run_nmae": "x"})
    assert "run_nmae" in str(caught.value) and "run_name" in str(caught.value)
    assert runs_of(client) == []
    with pytest.raises(trackmw.ConfigError, match="run_nmae"):
        mlflow_config(run_nmae="x")


# -- 5: tags merge; decorator autolog=False wins; autolog off afterwards -------------------


@mlflow_run(tags={"from": "decorator", "dec": "1"}, autolog=False)
@env.task
def no_autolog() -> None:
    _fit()


@mlflow_run(autolog=True, framework="sklearn", log_models=False)
@env.task
def with_autolog() -> None:
    _fit()


def _fit() -> None:
    from sklearn.linear_model import LinearRegression

    xs = [[float(i)] for i in range(10)]
    LinearRegression().fit(xs, [2.0 * x[0] for x in xs])


def test_defect5_tags_merge_and_decorator_autolog_false_wins(client: Any) -> None:
    """flyteplugins-mlflow drops the context tags when the decorator has tags, and turns
    autolog on from the context although the decorator says ``autolog=False``."""
    context = mlflow_config(tags={"from": "context", "ctx": "1"}, autolog=True)
    run_local(no_autolog, context=context)
    (run,) = runs_of(client)
    assert (run.data.tags["ctx"], run.data.tags["dec"], run.data.tags["from"]) == (
        "1", "1", "decorator")
    assert "fit_intercept" not in run.data.params, "autolog ran despite autolog=False"


def test_defect5_autolog_off_after_task(client: Any) -> None:
    """flyteplugins-mlflow leaves autolog on after the task (for every later fit)."""
    from mlflow.utils.autologging_utils import autologging_is_disabled

    run_local(with_autolog)
    (run,) = runs_of(client)
    assert "fit_intercept" in run.data.params
    assert autologging_is_disabled("sklearn")


# -- 6: an auto child in another process never ends its parent's run -------------------------


def test_defect6_remote_auto_child_never_ends_parent_run(client: Any) -> None:
    """flyteplugins-mlflow's child calls ``mlflow.start_run(run_id=parent)`` in the worker's
    main thread; MLflow's exit hook then marks the parent FINISHED while it still runs."""
    with trackmw.start_run("parent") as parent:
        assert parent is not None
        context = {"_trackmw.baggage": trackmw.propagation_env(parent)["BAGGAGE"]}
        run_in_worker("remote_tasks:auto_child", context)
        during = client.get_run(parent.run_id)
        assert during.info.status == "RUNNING", "the child ended its parent's run"
        assert during.data.metrics == {"from_child": 1.0}, "the child did not reuse the run"
    assert client.get_run(parent.run_id).info.status == "FINISHED"
    assert len(runs_of(client)) == 1


# -- 7: every task gets a useful link ----------------------------------------------------------


@mlflow_run
@env.task(links=[Mlflow()])
def linked_root() -> str:
    import flyte as fl

    # The link Flyte would render for an auto child called from here.
    return Mlflow().get_link(run_name="r", project="", domain="",
                             context=dict(fl.ctx().custom_context), parent_action_name="",
                             action_name="child", pod_name="")


def test_defect7_root_link_finds_its_run(client: Any) -> None:
    """flyteplugins-mlflow renders an empty link for the root task (and any ``new`` task)."""
    context = mlflow_config(link_host="https://mlflow.example.com")
    child_link = run_local(linked_root, context=context)
    (run,) = runs_of(client)
    link = Mlflow().get_link(
        run_name=run.data.tags["flyte.run_name"], project="", domain="", context=context.to_dict(),
        parent_action_name="", action_name=run.data.tags["flyte.action_name"], pod_name="",
    )
    url = urlsplit(link)
    assert link.startswith("https://mlflow.example.com/#/experiments/0?")
    (search,) = parse_qs(urlsplit(url.fragment).query)["searchFilter"]
    assert [r.info.run_id for r in client.search_runs(["0"], filter_string=search)] == [
        run.info.run_id]
    assert child_link == run.data.tags["trackmw.link"], "an auto child links to the shared run"


def test_defect7_nested_link_labelled_parent() -> None:
    """A nested task's link points at its parent run, labelled so (the child's id is unknown
    when Flyte renders it); a ``new`` task's link is a search, never the parent's run."""
    nested, new = Mlflow(), Mlflow()
    mlflow_run(run_mode="nested")(env.task(links=[nested])(_noop_nested))
    mlflow_run(run_mode="new")(env.task(links=[new])(_noop_new))
    context = {"_trackmw.link": "http://ui/#/experiments/1/runs/abc"}
    args = {"run_name": "r", "project": "", "domain": "", "context": context,
            "parent_action_name": "p", "action_name": "a", "pod_name": ""}
    assert (nested.name, nested.get_link(**args)) == ("MLflow (parent)", context["_trackmw.link"])
    assert new.name == "MLflow" and "searchFilter=" in new.get_link(**args)
    remote = {**args, "action_name": "{{.actionName}}"}  # what Flyte passes when deploying
    assert "%27{{.actionName}}%27" in new.get_link(**remote)


def _noop_nested() -> None:
    return None


def _noop_new() -> None:
    return None
