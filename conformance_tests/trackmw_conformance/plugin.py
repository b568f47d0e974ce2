"""The pytest plugin: options, the store and world fixtures, and the matrix report.

Inert unless a test subclasses :class:`~trackmw_conformance.ConformanceTests` or
``--trackmw-adapter``/``--trackmw-harness`` is given.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trackmw_conformance.stores import STORES, MlflowServer, quiet_env, store_uri
from trackmw_conformance.world import World

HARNESS_GROUP = "trackmw_conformance"
_CLEARED = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "JAX_PROCESS_ID",
            "LOCAL_RANK", "BAGGAGE", "TRACEPARENT", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID")
_results: list[dict[str, str]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trackmw", "trackmw conformance suite")
    group.addoption("--trackmw-adapter", metavar="NAME",
                    help="run the suite for the adapter registered under NAME in the "
                         f"'{HARNESS_GROUP}' entry-point group")
    group.addoption("--trackmw-harness", metavar="MODULE:CLASS",
                    help="run the suite for this Harness class")
    group.addoption("--trackmw-stores", default=",".join(STORES),
                    help="comma-separated stores to run on (default: %(default)s)")
    group.addoption("--trackmw-no-server", action="store_true",
                    help="skip the live mlflow server tier (quick local runs)")
    group.addoption("--trackmw-report", metavar="PATH",
                    help="write the adapter x scenario x store matrix as JSON")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "trackmw_store(name): the store a scenario runs on")
    if config.getoption("trackmw_adapter") or config.getoption("trackmw_harness"):
        config.args[:] = [str(Path(__file__).with_name("cli_suite.py"))]


def selected_stores(config: pytest.Config) -> list[str]:
    stores = [s.strip() for s in config.getoption("trackmw_stores").split(",") if s.strip()]
    unknown = sorted(set(stores) - set(STORES))
    if unknown:
        raise pytest.UsageError(f"--trackmw-stores: unknown {unknown}; allowed: {STORES}")
    if config.getoption("trackmw_no_server"):
        stores = [s for s in stores if s != "server"]
    return stores


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "trackmw_store" in metafunc.fixturenames:
        stores = selected_stores(metafunc.config)
        only = getattr(metafunc.cls, "stores", None)
        if only is not None:
            stores = [s for s in stores if s in only]
        metafunc.parametrize("trackmw_store", stores, ids=stores, scope="function")


def load_harness(config: pytest.Config) -> Any:
    """The harness named by ``--trackmw-adapter`` or ``--trackmw-harness``."""
    import importlib
    from importlib.metadata import entry_points

    spec = config.getoption("trackmw_harness")
    if not spec:
        name = config.getoption("trackmw_adapter")
        found = {ep.name: ep for ep in entry_points(group=HARNESS_GROUP)}
        if name not in found:
            raise pytest.UsageError(
                f"--trackmw-adapter: no harness named {name!r}; installed: {sorted(found)}"
            )
        return found[name].load()()
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)()


_early = pytest.StashKey[MlflowServer]()


def _store_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("trackmw_store") if callspec else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Server-tier scenarios run last, so the server starts while the others run."""
    items.sort(key=lambda item: _store_of(item) == "server")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Launch the server as soon as a scenario will need it: its start-up (seconds of
    imports and migrations) then overlaps the file and SQLite scenarios."""
    needs = any(_store_of(item) == "server" for item in session.items)
    if needs and not session.config.option.collectonly:
        factory = session.config._tmp_path_factory  # type: ignore[attr-defined]
        session.config.stash[_early] = MlflowServer(factory.mktemp("mlflow-server")).launch()


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(_early, None)
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def trackmw_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MlflowServer]:
    """One live ``mlflow server`` on 127.0.0.1 for the whole session."""
    server = request.config.stash.get(_early, None)
    if server is None:
        server = MlflowServer(tmp_path_factory.mktemp("mlflow-server")).launch()
    try:
        yield server.wait()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def trackmw_store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file store and one SQLite database per session (schema migrations cost seconds);
    each scenario gets its own experiment in them."""
    return tmp_path_factory.mktemp("stores")


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    trackmw_store: str,
    trackmw_store_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    """A fresh experiment on the scenario's store, set as the environment's default."""
    server = request.getfixturevalue("trackmw_server") if trackmw_store == "server" else None
    folder = trackmw_store_folder
    out = tmp_path / "seen"
    out.mkdir()
    uri = store_uri(trackmw_store, folder, server)
    monkeypatch.chdir(tmp_path)  # SQLite stores put artifacts under ./mlruns
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name in [v for v in os.environ if v.startswith("TRACKMW_")]:
        monkeypatch.delenv(name)
    for name, value in quiet_env().items():
        monkeypatch.setenv(name, value)
    experiment = f"conformance-{request.node.originalname}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", experiment)
    monkeypatch.setenv("TRACKMW_CONFORMANCE_OUT", str(out))
    world = World(trackmw_store, uri, experiment, out)
    yield world
    leaked = [r.info.run_id for r in world.runs() if r.info.status == "RUNNING"]
    assert not leaked, f"runs left RUNNING: {leaked}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    callspec = getattr(item, "callspec", None)
    cls = getattr(item, "cls", None)
    harness = getattr(cls, "harness", None)
    if harness is None or callspec is None or "trackmw_store" not in callspec.params:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed) or (
        report.when == "teardown" and report.failed
    ):
        reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2])
        elif report.failed:
            reason = str(report.longreprtext).strip().splitlines()[-1][:300] if (
                report.longreprtext) else "failed"
        store = callspec.params["trackmw_store"]
        variant = [part for part in callspec.id.split("-") if part != store]
        scenario = item.originalname + (f"[{'-'.join(variant)}]" if variant else "")
        _results.append({
            "adapter": harness.name + (f"[{cls.tier}]" if getattr(cls, "tier", None) else ""),
            "scenario": scenario,
            "store": callspec.params["trackmw_store"],
            "outcome": report.outcome,
            "reason": reason.removeprefix("Skipped: "),
        })


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _results:
        return
    final: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in _results:  # a teardown failure overrides the call's pass
        key = (row["adapter"], row["scenario"], row["store"])
        if key not in final or row["outcome"] == "failed":
            final[key] = row
    rows = sorted(final.values(), key=lambda r: (r["adapter"], r["scenario"], r["store"]))
    stores = sorted({r["store"] for r in rows}, key=STORES.index)
    write = terminalreporter.write_line
    terminalreporter.section("trackmw conformance matrix")
    mark = {"passed": "pass", "failed": "FAIL", "skipped": "skip"}
    for adapter in sorted({r["adapter"] for r in rows}):
        write(f"{adapter}:  " + "  ".join(f"{s:>6}" for s in stores))
        scenarios = sorted({r["scenario"] for r in rows if r["adapter"] == adapter})
        for scenario in scenarios:
            cells = [final.get((adapter, scenario, s)) for s in stores]
            line = "  ".join(f"{mark[c['outcome']] if c else '-':>6}" for c in cells)
            reasons = {c["reason"] for c in cells
                       if c and c["outcome"] != "passed" and c["reason"]}
            write(f"  {line}  {scenario}" + (f"  ({'; '.join(sorted(reasons))})" if reasons else ""))
    path = config.getoption("trackmw_report")
    if path:
        Path(path).write_text(json.dumps(rows, indent=1))
        write(f"matrix written to {path}")
