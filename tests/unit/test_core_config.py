"""Config keys, layers, provenance and errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import trackmw
from trackmw.config import KEYS, ConfigLayer, Level, env_layer, resolve

TYPED = {
    "str": ("x", "x"),
    "bool": (True, True),
    "int": (3, 3),
    "dict": ({"a": "1"}, {"a": "1"}),
}
TEXT = {"str": ("x", "x"), "bool": ("yes", True), "int": ("3", 3),
        "dict": ('{"a": "1"}', {"a": "1"})}
BAD = {"bool": "maybe", "int": "three", "dict": "no-equals-sign", "choice": "sideways"}


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_key_parses_typed_and_text_values(key: str) -> None:
    spec = KEYS[key]
    if spec.kind == "choice":
        typed = text = spec.choices[-1]
        assert ConfigLayer.build("t", Level.EXPLICIT, {key: typed}).values[key] == typed
        assert ConfigLayer.build("t", Level.ENVIRONMENT, {key: text.upper()}).values[key] == text
        return
    given, expected = TYPED[spec.kind]
    assert ConfigLayer.build("t", Level.EXPLICIT, {key: given}).values[key] == expected
    given, expected = TEXT[spec.kind]
    assert ConfigLayer.build("t", Level.ENVIRONMENT, {key: given}).values[key] == expected


@pytest.mark.parametrize("key", sorted(k for k in KEYS if KEYS[k].kind in BAD))
def test_every_key_rejects_bad_values_naming_key_layer_allowed(key: str) -> None:
    spec = KEYS[key]
    with pytest.raises(trackmw.ConfigError) as caught:
        ConfigLayer.build("my layer", Level.EXPLICIT, {key: BAD[spec.kind]})
    message = str(caught.value)
    assert repr(key) in message and "my layer" in message and spec.allowed in message
    if not spec.secret:
        assert BAD[spec.kind] in message


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_key_settable_from_trackmw_env(key: str) -> None:
    spec = KEYS[key]
    text = spec.choices[0] if spec.kind == "choice" else TEXT[spec.kind][0]
    layer = env_layer({f"TRACKMW_{key.upper()}": text})
    assert key in layer.values


def test_unknown_keys_fail_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(trackmw.ConfigError, match="unknown config key 'run_mod'"):
        trackmw.track(run_mod="new")
    with pytest.raises(trackmw.ConfigError, match="TRACKMW_RUN_MOD"):
        env_layer({"TRACKMW_RUN_MOD": "new"})
    (tmp_path / "pyproject.toml").write_text('[tool.trackmw]\nexperiment_nam = "x"\n')
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    with pytest.raises(trackmw.ConfigError, match="experiment_nam.*pyproject.toml"):
        trackmw.resolve_config()


def test_each_layer_overrides_the_one_below(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.trackmw]\nrun_name = "project"\nflatten_sep = "/"\nlink_host = "http://p"\n'
        'tags = {from_project = "p", shared = "project"}\n'
    )
    monkeypatch.chdir(tmp_path)
    config = trackmw.resolve_config()
    assert (config.run_name, config.sources["run_name"]) == ("project", config.sources["tags"])
    assert "pyproject.toml" in config.sources["run_name"]
    monkeypatch.setenv("TRACKMW_RUN_NAME", "env")
    monkeypatch.setenv("TRACKMW_TAGS", "from_env=e,shared=env")
    assert trackmw.resolve_config().run_name == "env"
    with trackmw.tracking_config(run_name="block", tags={"shared": "block"}):
        config = trackmw.resolve_config()
        assert (config.run_name, config.sources["run_name"]) == ("block",
                                                                 "tracking_config block")
        config = trackmw.resolve_config(run_name="explicit")
        assert (config.run_name, config.sources["run_name"]) == ("explicit",
                                                                 "explicit arguments")
        assert config.tags == {"from_project": "p", "from_env": "e", "shared": "block"}
    assert config.flatten_sep == "/" and config.link_host == "http://p"
    assert config.sources["flatten_sep"].endswith("[tool.trackmw]")
    assert config.sources["link_template"] == "defaults"


def test_run_context_sits_between_parent_and_block() -> None:
    layers = [
        ConfigLayer.build("env", Level.ENVIRONMENT, {"run_mode": "new", "run_name": "env"}),
        ConfigLayer.build("parent", Level.PARENT, {"experiment_id": "7"}),
        ConfigLayer.build("ctx", Level.RUN_CONTEXT, {"run_mode": "nested", "run_name": "ctx"}),
        ConfigLayer.build("block", Level.BLOCK, {"run_name": "block"}),
    ]
    config = resolve(list(reversed(layers)))  # order of arrival does not matter
    assert (config.run_mode, config.sources["run_mode"]) == ("nested", "ctx")
    assert (config.run_name, config.sources["run_name"]) == ("block", "block")
    assert config.experiment_id == "7"


def test_experiment_selector_from_the_higher_layer_wins() -> None:
    by_id = resolve([ConfigLayer.build("env", Level.ENVIRONMENT, {"experiment_name": "n"}),
                     ConfigLayer.build("ctx", Level.RUN_CONTEXT, {"experiment_id": "5"})])
    assert (by_id.experiment_id, by_id.experiment_name) == ("5", None)
    by_name = resolve([ConfigLayer.build("parent", Level.PARENT, {"experiment_id": "5"}),
                       ConfigLayer.build("exp", Level.EXPLICIT, {"experiment_name": "n"})])
    assert (by_name.experiment_id, by_name.experiment_name) == (None, "n")


@pytest.mark.parametrize("config", [{"credentials": {"TOKEN": "s3cr3t"}},
                                    {"tracking_uri": "https://u:s3cr3t@mlflow.example.com"}])
def test_secrets_never_travel_in_orchestrator_contexts(config: dict) -> None:
    """Orchestrators store and show their run contexts (Prefect tags, Flyte custom context)."""
    with pytest.raises(trackmw.ConfigError) as caught:
        trackmw.tracking_config(**config).to_context()
    assert caught.value.key in config and "s3cr3t" not in str(caught.value)


def test_context_round_trip_keeps_types() -> None:
    cfg = trackmw.tracking_config(experiment_id="123", run_name="007", autolog=True,
                                  rank=0, tags={"a": "1"})
    text = cfg.to_context()
    assert text["trackmw.experiment_id"] == "123" and text["trackmw.autolog"] == "true"
    back = ConfigLayer.from_context("ctx", Level.RUN_CONTEXT, {**text, "other.key": "x"})
    assert back.values == {"experiment_id": "123", "run_name": "007", "autolog": True,
                           "rank": 0, "tags": {"a": "1"}}
    with pytest.raises(trackmw.ConfigError, match="unknown config key"):
        ConfigLayer.from_context("ctx", Level.RUN_CONTEXT, {"trackmw.bogus": "1"})


def test_blocks_are_isolated_between_asyncio_tasks() -> None:
    async def inside(name: str, delay: float) -> str:
        with trackmw.tracking_config(run_name=name):
            await asyncio.sleep(delay)
            return trackmw.resolve_config().run_name  # type: ignore[no-any-return]

    async def main() -> list[str]:
        return list(await asyncio.gather(inside("a", 0.05), inside("b", 0.0)))

    assert asyncio.run(main()) == ["a", "b"]
    assert trackmw.resolve_config().run_name is None


def test_credentials_masked_and_live_only_during_run(sqlite_store: object,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("TEST_SECRET_TOKEN", raising=False)
    cfg = trackmw.tracking_config(credentials={"TEST_SECRET_TOKEN": "s3cr3t"})
    assert "s3cr3t" not in repr(cfg)
    shown = {k: v for k, v, _ in trackmw.resolve_config(
        credentials={"TEST_SECRET_TOKEN": "s3cr3t"}).describe()}
    assert shown["credentials"] == "***"

    @trackmw.track(run_mode="nested")
    def child() -> str | None:
        return os.environ.get("TEST_SECRET_TOKEN")

    @trackmw.track(credentials={"TEST_SECRET_TOKEN": "s3cr3t"})
    def body() -> str | None:
        return child()

    assert body() == "s3cr3t"
    assert "TEST_SECRET_TOKEN" not in os.environ


def test_credentials_outside_the_config_namespace() -> None:
    """A ``TRACKMW_*`` credential would be read back as config by every child task."""
    with pytest.raises(trackmw.ConfigError) as caught:
        trackmw.track(credentials={"TRACKMW_TOKEN": "x"})
    assert caught.value.key == "credentials" and "TRACKMW_" in str(caught.value)
    assert "reserved" in str(caught.value)


def test_config_error_survives_pickling() -> None:
    """Raised in a process-pool worker, it must reach the caller as itself."""
    import pickle

    with pytest.raises(trackmw.ConfigError) as caught:
        trackmw.resolve_config(run_mode="sideways")
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is trackmw.ConfigError and str(again) == str(caught.value)
    assert (again.key, again.value, again.allowed) == ("run_mode", "sideways",
                                                       caught.value.allowed)


def test_created_experiment_gets_artifact_location_and_tags(sqlite_store, tmp_path: Path) -> None:
    name = f"{sqlite_store.experiment}-made"
    with trackmw.tracking_config(experiment_tags={"team": "ml"}):
        @trackmw.track(experiment_name=name, experiment_tags={"owner": "me"},
                       experiment_artifact_location=(tmp_path / "art").as_uri())
        def body() -> None:
            pass

        body()
    experiment = sqlite_store.client.get_experiment_by_name(name)
    assert experiment.artifact_location == (tmp_path / "art").as_uri()
    assert {"team": "ml", "owner": "me"}.items() <= experiment.tags.items()
