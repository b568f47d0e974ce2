"""kedro-mlflow's ``mlflow.yml`` read unchanged, ``trackmw.yml``, precedence, tags, node modes,
registration and living beside kedro-mlflow: real sessions, real stores."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import pytest
from kedro_project import run, runs_of
from trackmw_kedro import hooks

import trackmw


def test_relative_tracking_uri_resolved_against_project(
    project: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project({"server": {"mlflow_tracking_uri": "mlruns"}})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run(root, "train")
    assert not (elsewhere / "mlruns").exists()
    (found,) = runs_of(mlflow.MlflowClient((root / "mlruns").as_uri()))
    assert found.info.status == "FINISHED" and found.info.run_name == "train"


def test_every_mlflow_yml_key_applied(project: Callable[..., Path], client: Any) -> None:
    yml = {
        "server": {"credentials": "mlflow_creds"},
        "tracking": {
            "experiment": {"name": "renamed",
                           "create_experiment_kwargs": {"artifact_location": "artifacts",
                                                        "tags": {"team": "ml"}}},
            "run": {"name": "nightly", "nested": False},
            "params": {"dict_params": {"flatten": True, "recursive": False, "sep": "/"}},
            "disable_tracking": {"disable_autologging": True},
        },
        "ui": {"host": "mlflow.example.com", "port": "8080"},
    }
    root = project(yml, credentials={"mlflow_creds": {"KEDRO_TRACKMW_TEST_TOKEN": "s3cret"}})
    run(root, "train")
    experiment = client.get_experiment_by_name("renamed")
    assert experiment.tags["team"] == "ml"
    assert experiment.artifact_location == (root / "artifacts").as_uri()
    (found,) = runs_of(client, "renamed")
    assert found.info.run_name == "nightly"
    assert found.data.params["model/alpha"] == "0.5"  # one level, "/" separator
    assert found.data.params["model/solver"] == str({"name": "lbfgs", "tol": 0.001})
    assert found.data.tags["trackmw.link"].startswith("http://mlflow.example.com:8080/#/")
    run(root, "creds")
    assert runs_of(client, "renamed")[-1].data.params["token_seen"] == "True"
    import os

    assert "KEDRO_TRACKMW_TEST_TOKEN" not in os.environ, "credentials outlived the run"


def test_run_id_resumes_a_run(project: Callable[..., Path], client: Any) -> None:
    eid = client.create_experiment("defects")
    earlier = client.create_run(eid, run_name="earlier")
    client.set_terminated(earlier.info.run_id, "FAILED")
    run(project({"tracking": {"run": {"id": earlier.info.run_id}}}), "train")
    (found,) = runs_of(client)
    assert found.info.run_id == earlier.info.run_id
    assert found.info.status == "FINISHED" and set(found.data.params) >= {"split", "model"}


def test_deleted_experiment_restored_by_kedro_mlflow_default(
    project: Callable[..., Path], client: Any
) -> None:
    """kedro-mlflow's default ``restore_if_deleted: true`` holds with an mlflow.yml."""
    eid = client.create_experiment("defects")
    client.delete_experiment(eid)
    run(project(), "train")
    assert client.get_experiment(eid).lifecycle_stage == "active"
    assert len(runs_of(client)) == 1


@pytest.mark.parametrize(("yml", "key", "allowed"), [
    ({"tracking": {"params": {"long_params_strategy": "sometimes"}}},
     "tracking.params.long_params_strategy", "fail | truncate | tag"),
    ({"tracking": {"experiment": {"nme": "typo"}}}, "tracking.experiment.nme", "name"),
    ({"tracking": {"run": {"nested": "yes"}}}, "tracking.run.nested", "true | false"),
])
def test_bad_mlflow_yml_names_key_value_and_allowed(
    project: Callable[..., Path], client: Any, yml: dict[str, Any], key: str, allowed: str
) -> None:
    with pytest.raises(trackmw.ConfigError, match=key.replace(".", r"\.")) as caught:
        run(project(yml), "train")
    assert allowed in str(caught.value)
    assert runs_of(client) == [] and mlflow.active_run() is None


def test_bad_trackmw_yml_value_fails_before_any_run(
    project: Callable[..., Path], client: Any
) -> None:
    root = project(trackmw_yml={"nodes": {"fit": {"run_mode": "sideways"}}})
    with pytest.raises(trackmw.ConfigError, match="auto | new | nested"):
        run(root, "train")
    assert runs_of(client) == []


def test_precedence_mlflow_yml_env_trackmw_yml_pipeline_section(
    project: Callable[..., Path], client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mlflow.yml (project) < environment < trackmw.yml (run context) < its pipelines.<name>."""
    yml = {"tracking": {"run": {"name": "from-mlflow-yml"}}}
    run(project(yml), "train")
    monkeypatch.setenv("TRACKMW_RUN_NAME", "from-env")
    run(project(yml), "train")
    run(project(yml, trackmw_yml={"run_name": "from-trackmw-yml"}), "train")
    run(project(yml, trackmw_yml={"run_name": "from-trackmw-yml",
                                  "pipelines": {"train": {"run_name": "from-section"}}}), "train")
    assert [r.info.run_name for r in runs_of(client)] == [
        "from-mlflow-yml", "from-env", "from-trackmw-yml", "from-section"]


def test_tags_identify_the_kedro_run(project: Callable[..., Path], client: Any) -> None:
    import kedro

    run(project(), "train", runner="thread", node_names=["split", "audit"])
    (found,) = runs_of(client)
    tags = found.data.tags
    assert tags["trackmw.adapter"] == "kedro" and tags["trackmw.task"] == "train"
    assert len(tags["kedro.session_id"]) > 10
    assert tags["kedro.pipeline_names"] == "train"
    assert tags["kedro.env"] == "local"
    assert tags["kedro.version"] == kedro.__version__
    assert tags["kedro.runner"] == "ThreadRunner"
    assert tags["kedro.command"] == (
        "kedro run --pipelines=train --nodes=split,audit --runner=ThreadRunner")


def test_nested_node_runs_and_node_params(project: Callable[..., Path], client: Any) -> None:
    root = project(trackmw_yml={"run_mode": "nested", "nodes": {"audit": {"run_mode": "auto"}}})
    run(root, "train", runner="thread")
    runs = {r.data.tags["trackmw.task"]: r for r in runs_of(client)}
    assert set(runs) == {"train", "split", "fit", "score"}
    parent = runs["train"].info.run_id
    assert all(runs[n].data.tags["mlflow.parentRunId"] == parent for n in ("split", "fit"))
    assert set(runs["train"].data.params) == {"audit"}  # audit reuses the pipeline's run
    assert set(runs["fit"].data.params) == {"model"} and runs["fit"].data.metrics == {
        "rows": 40.0}
    assert set(runs["score"].data.params) == {"parameters"}


def test_hook_also_in_settings_hooks_tracks_once(
    project: Callable[..., Path], client: Any
) -> None:
    """``HOOKS = (TrackmwHook(),)`` next to the entry point: one instance stays idle."""
    settings = "from trackmw_kedro import TrackmwHook\nHOOKS = (TrackmwHook(),)\n"
    run(project(settings=settings), "train")
    (found,) = runs_of(client)
    assert set(found.data.params) == {"split", "model", "audit", "parameters"}


@pytest.mark.usefixtures("kedro_mlflow_cleanup")
@pytest.mark.parametrize("disabled", ["", 'DISABLE_HOOKS_FOR_PLUGINS = ("kedro-mlflow",)\n'],
                         ids=["both", "dashed-name"])
def test_beside_kedro_mlflow_warns_once_how_to_switch_off(
    project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, disabled: str
) -> None:
    """Both hooks active (the dashed plugin name disables nothing): one warning, naming
    ``DISABLE_HOOKS_FOR_PLUGINS = ("kedro_mlflow",)``."""
    monkeypatch.setattr(hooks, "_warned", False)
    root = project(plugins="both", settings=disabled)
    with pytest.warns(trackmw.TrackingWarning, match=r'\("kedro_mlflow",\)'):
        run(root, "train")
    mlflow.end_run()
    with warnings.catch_warnings():
        warnings.simplefilter("error", trackmw.TrackingWarning)
        run(root, "train")


def test_no_warning_when_kedro_mlflow_disabled(
    project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_warned", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", trackmw.TrackingWarning)
        run(project(), "train")


def test_import_does_not_import_mlflow_or_kedro() -> None:
    """trackmw loads ``trackmw_kedro.plugin`` in every process: it must stay light."""
    import subprocess
    import sys

    code = ("import sys, trackmw_kedro, trackmw_kedro.plugin; "
            "assert not [m for m in sys.modules if m.split('.')[0] in ('mlflow', 'kedro')]")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pyproject_tool_trackmw_of_the_project(
    project: Callable[..., Path], client: Any
) -> None:
    """``[tool.trackmw]`` of the project's pyproject.toml applies (the cwd is elsewhere),
    above mlflow.yml at the same level."""
    root = project({"tracking": {"run": {"name": "from-mlflow-yml"}}})
    with (root / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.trackmw]\nrun_name = "from-pyproject"\n')
    run(root, "train")
    assert runs_of(client)[0].info.run_name == "from-pyproject"


def test_session_inside_a_trackmw_run_reuses_it(
    project: Callable[..., Path], client: Any, sqlite_uri: str
) -> None:
    """Like kedro-mlflow with a run already active: the pipeline logs into the outer run,
    which stays open for its owner."""
    root = project()
    with trackmw.start_run("job", tracking_uri=sqlite_uri, experiment_name="defects") as outer:
        run(root, "train")
        assert client.get_run(outer.run_id).info.status == "RUNNING"
    (found,) = runs_of(client)
    assert found.info.run_id == outer.run_id and found.info.status == "FINISHED"
    assert set(found.data.params) == {"split", "model", "audit", "parameters"}


def test_request_header_provider_registered_or_rejected(
    project: Callable[..., Path], client: Any
) -> None:
    provider = ("mlflow.tracking.request_header.default_request_header_provider."
                "DefaultRequestHeaderProvider")
    run(project({"server": {"request_header_provider": {"type": provider}}}), "train")
    assert len(runs_of(client)) == 1
    bad = project({"server": {"request_header_provider": {"type": "collections.OrderedDict"}}})
    with pytest.raises(trackmw.ConfigError, match="request_header_provider.type"):
        run(bad, "train")
    assert len(runs_of(client)) == 1


def test_interrupted_session_run_killed_when_next_session_starts(
    project: Callable[..., Path], client: Any
) -> None:
    """A KeyboardInterrupt escapes Kedro without any hook; the next session in the thread
    ends the interrupted run KILLED instead of reusing it."""
    root = project(trackmw_yml={"nodes": {"interrupt": {"run_mode": "nested"}}})
    with pytest.raises(KeyboardInterrupt):
        run(root, "interrupted")
    run(root, "train")
    runs = {r.data.tags["trackmw.task"]: r for r in runs_of(client)}
    assert runs["interrupted"].info.status == runs["interrupt"].info.status == "KILLED"
    assert runs["train"].info.status == "FINISHED"
    assert "mlflow.parentRunId" not in runs["train"].data.tags
    assert mlflow.active_run() is None


def test_interrupted_kedro_run_killed_at_exit(
    project: Callable[..., Path], client: Any
) -> None:
    """Ctrl-C in ``kedro run``: the process exits and the run ends KILLED, not RUNNING."""
    import subprocess
    import sys

    root = project()
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from kedro_project import run; run(__import__('pathlib').Path(sys.argv[2]),"
            " 'interrupted')")
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(root)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "KeyboardInterrupt" in done.stderr
    (found,) = runs_of(client)
    assert found.info.status == "KILLED"
