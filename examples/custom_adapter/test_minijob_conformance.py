"""The worked custom adapter passes the whole conformance suite on every store."""

from __future__ import annotations

from minijob_trackmw.harness import MiniJobHarness
from trackmw_conformance import ConformanceTests


class TestMiniJobConformance(ConformanceTests):
    harness = MiniJobHarness()


def test_runner_ui_links_to_the_run(tmp_path, monkeypatch) -> None:
    """The adapter's run_started hook puts the MLflow link on the job's page."""
    import minijob
    from mlflow import MlflowClient

    import trackmw

    uri = f"sqlite:///{tmp_path}/m.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    runner = minijob.Runner(trackmw.tracking_config(link_host="https://ml.corp").to_context())

    @trackmw.track
    def job() -> str:
        run = trackmw.active_run()
        assert run is not None
        return run.run_id

    run_id = runner.call(job)
    run = MlflowClient(uri).get_run(run_id)
    assert runner.jobs[0].links == [run.data.tags["trackmw.link"]]
    assert run.data.tags["trackmw.link"].startswith("https://ml.corp/#/experiments/")
    assert run.data.tags["minijob.job_id"] == "j1"
    assert run.data.tags["trackmw.orchestrator_link"] == runner.jobs[0].url
