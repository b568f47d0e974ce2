"""Param flattening and MLflow's limits; UI links and their template rules."""

from __future__ import annotations

import pytest

import trackmw
from trackmw.config import ConfigLayer, Level, defaults_layer, resolve
from trackmw.links import check_template, scrub_text, scrub_uri, ui_link
from trackmw.params import MAX_KEY_LENGTH, MAX_VALUE_LENGTH, flatten, prepare_params


def test_flatten() -> None:
    nested = {"a": {"b": {"c": 1}, "d": 2}, "e": 3, "empty": {}}
    assert flatten(nested) == {"a.b.c": 1, "a.d": 2, "e": 3, "empty": {}}
    assert flatten(nested, sep="/") == {"a/b/c": 1, "a/d": 2, "e": 3, "empty": {}}
    assert flatten(nested, recursive=False) == {"a.b": {"c": 1}, "a.d": 2, "e": 3, "empty": {}}


def test_limits_are_mlflows() -> None:
    from mlflow.utils import validation

    assert MAX_VALUE_LENGTH == validation.MAX_PARAM_VAL_LENGTH
    assert MAX_KEY_LENGTH == validation.MAX_ENTITY_KEY_LENGTH


def test_strategies_at_the_limit() -> None:
    params = {"ok": "a" * 6000, "long": "b" * 6001}
    kept, tags = prepare_params(params, strategy="truncate")
    assert kept == {"ok": "a" * 6000, "long": "b" * 6000} and tags == {}
    kept, tags = prepare_params(params, strategy="tag")
    assert kept == {"ok": "a" * 6000} and tags == {"param.long": "b" * 6001}
    with pytest.raises(trackmw.ParamError, match="'long' is 6001 characters"):
        prepare_params(params, strategy="fail")
    with pytest.raises(trackmw.ParamError, match="250"):
        prepare_params({"k" * 251: 1}, strategy="truncate")


@pytest.mark.parametrize("strategy", ["fail", "tag", "truncate"])
def test_strategies_through_a_real_run(store, strategy: str) -> None:
    @trackmw.track(long_params_strategy=strategy)
    def task() -> str:
        trackmw.active_run().log_params({"ok": "x" * 6000, "long": "y" * 6001})
        return trackmw.active_run().run_id

    if strategy == "fail":
        with pytest.raises(trackmw.ParamError):
            task()
        assert store.runs()[0].info.status == "FAILED"
        return
    run = store.run(task())
    assert run.data.params["ok"] == "x" * 6000
    if strategy == "tag":
        assert "long" not in run.data.params and run.data.tags["param.long"] == "y" * 6001
    else:
        assert run.data.params["long"] == "y" * 6000


@pytest.mark.parametrize("template", [
    "{host}/{run_id.__class__}", "{host}/{run_id[0]}", "{run_id!r}", "{run_id:>40}",
    "{secret}", "{host", "{0}",
])
def test_templates_outside_the_documented_fields_are_rejected(template: str) -> None:
    with pytest.raises(trackmw.ConfigError, match="link_template"):
        check_template(template)


def _config(**values: str):
    return resolve([defaults_layer(), ConfigLayer.build("t", Level.EXPLICIT, values)])


def test_ui_link_own_run_and_parent_label() -> None:
    config = _config(link_host="https://ui.example/")
    own = ui_link(config, experiment_id="4", run_id="abc")
    assert (own.url, own.label) == ("https://ui.example/#/experiments/4/runs/abc", "MLflow")
    parent = ui_link(config, experiment_id="4", parent_run_id="p1")
    assert (parent.url, parent.label) == ("https://ui.example/#/experiments/4/runs/p1",
                                          "MLflow (parent)")
    assert ui_link(config, experiment_id="4") is None


def test_default_hosts_and_scrubbing() -> None:
    server = _config(tracking_uri="https://bob:pw@mlflow.corp:8443/")
    assert ui_link(server, experiment_id="1", run_id="r").url.startswith(
        "https://mlflow.corp:8443/#/")
    local = _config(tracking_uri="sqlite:////tmp/x.db")
    assert ui_link(local, experiment_id="1", run_id="r").url.startswith("http://127.0.0.1:5000/")
    assert scrub_uri("http://u:p@h:1/x?token=t") == "http://h:1/x"
    assert scrub_uri("sqlite:////abs/path.db") == "sqlite:////abs/path.db"
    assert scrub_text("failed: http://u:p@h/x and https://t@k/y") == (
        "failed: http://h/x and https://k/y")


def test_owned_runs_tagged_with_their_link(store) -> None:
    @trackmw.track(link_host="http://ui", link_template="{host}/{experiment_id}/{run_name}")
    def task() -> str:
        return trackmw.active_run().run_id

    run = store.run(task())
    assert run.data.tags["trackmw.link"] == (
        f"http://ui/{run.info.experiment_id}/{run.info.run_name}")
