"""Every hook spec is called with its documented arguments and its answer is used."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import trackmw
from trackmw import hookspecs
from trackmw.plugins import unregister

DOCS = Path(__file__).parents[2] / "docs" / "hooks.md"


@pytest.fixture
def plugin() -> Iterator[Any]:
    """Register a plugin object for one test."""
    names: list[str] = []

    def register(obj: Any) -> Any:
        names.append(trackmw.register(obj))
        return obj

    yield register
    for name in names:
        unregister(name=name)


def test_trackmw_task_info(store, plugin) -> None:
    class Identity:
        @trackmw.hookimpl
        def trackmw_task_info(self, fn):
            return trackmw.TaskInfo(adapter="acme", name=f"acme-{fn.__name__}",
                                    tags={"acme.job": "42"}, attempt=2)

    plugin(Identity())

    @trackmw.track
    def job() -> str:
        return trackmw.active_run().run_id

    run = store.run(job())
    assert run.info.run_name == "acme-job"
    tags = run.data.tags
    assert (tags["trackmw.adapter"], tags["acme.job"], tags["trackmw.attempt"]) == (
        "acme", "42", "2")


def test_trackmw_resolve_config(store, plugin, monkeypatch) -> None:
    seen: list[Any] = []

    class Context:
        @trackmw.hookimpl
        def trackmw_resolve_config(self, task, layers):
            seen.append((task, [layer.name for layer in layers]))
            return trackmw.ConfigLayer.build("acme context", trackmw.Level.RUN_CONTEXT,
                                             {"run_name": "from-context"})

    plugin(Context())
    monkeypatch.setenv("TRACKMW_RUN_NAME", "from-env")

    @trackmw.track
    def job() -> str:
        return trackmw.active_run().run_id

    assert store.run(job()).info.run_name == "from-context"
    task, names = seen[0]
    assert isinstance(task, trackmw.TaskInfo) and "explicit arguments" in names


def test_trackmw_gate_by_rank(store, plugin) -> None:
    class Gate:
        @trackmw.hookimpl
        def trackmw_gate_by_rank(self, task, config):
            assert isinstance(config, trackmw.ResolvedConfig)
            return 1

    plugin(Gate())

    @trackmw.track
    def job() -> object:
        return trackmw.active_run()

    @trackmw.track(rank=0)
    def explicit() -> object:
        return trackmw.active_run()

    assert job() is None
    assert explicit() is not None  # an explicit rank never asks the hook
    assert len(store.runs()) == 1


def test_trackmw_choose_run_mode(store, plugin) -> None:
    parents: list[Any] = []

    class Flatten:
        @trackmw.hookimpl
        def trackmw_choose_run_mode(self, task, config, parent):
            parents.append(parent)
            return trackmw.RunPlan("new") if config.run_mode == "nested" else None

    plugin(Flatten())

    @trackmw.track(run_mode="nested")
    def child() -> str:
        return trackmw.active_run().run_id

    @trackmw.track
    def parent() -> str:
        child()
        return trackmw.active_run().run_id

    parent_id = parent()
    assert parents[0] is None and parents[1].run_id == parent_id and parents[1].local
    assert all("mlflow.parentRunId" not in r.data.tags for r in store.runs())


def test_trackmw_build_link(store, plugin) -> None:
    class Linker:
        @trackmw.hookimpl
        def trackmw_build_link(self, run, config, task):
            return trackmw.Link(f"https://ml.corp/{task.name}/{run.run_id}", "Corp")

    plugin(Linker())

    @trackmw.track
    def job() -> Any:
        return trackmw.active_run()

    run = job()
    assert run.link == trackmw.Link(f"https://ml.corp/{run.name}/{run.run_id}", "Corp")
    assert store.run(run.run_id).data.tags["trackmw.link"] == run.link.url


def test_trackmw_run_started(store, plugin) -> None:
    events: list[Any] = []

    class Started:
        @trackmw.hookimpl
        def trackmw_run_started(self, run, task):
            events.append((run.run_id, task.name, trackmw.active_run() is run))

    plugin(Started())

    @trackmw.track
    def job() -> str:
        return trackmw.active_run().run_id

    run_id = job()
    assert events == [(run_id, store.run(run_id).data.tags["trackmw.task"], True)]


def test_trackmw_run_ended(store, plugin) -> None:
    events: list[Any] = []

    class Ended:
        @trackmw.hookimpl
        def trackmw_run_ended(self, run, status, error, task):
            events.append((run.run_id, status, error))

    plugin(Ended())
    error = RuntimeError("x")

    @trackmw.track
    def job(fail: bool) -> str:
        if fail:
            raise error
        return trackmw.active_run().run_id

    ok = job(False)
    with pytest.raises(RuntimeError):
        job(True)
    assert events[0] == (ok, "FINISHED", None)
    assert events[1][1:] == ("FAILED", error)


def test_every_hookspec_has_a_test_and_an_exact_doc_entry() -> None:
    specs = {n: f for n, f in vars(hookspecs).items() if n.startswith("trackmw_")}
    assert len(specs) == 7
    tests = set(globals())
    docs = DOCS.read_text()
    for name, spec in specs.items():
        assert f"test_{name}" in tests, f"hook {name} has no test_{name}"
        assert f"## {name}" in docs, f"hook {name} missing from docs/hooks.md"
        line = re.search(rf"^def {name}\(.*$", docs, re.MULTILINE)
        assert line, f"docs/hooks.md has no signature for {name}"
        documented = ast.parse(line.group(0) + ": ...").body[0]
        assert isinstance(documented, ast.FunctionDef)
        doc_sig = [(a.arg, ast.unparse(a.annotation)) for a in documented.args.args]
        code_sig = list(inspect.get_annotations(spec).items())
        assert doc_sig + [("return", ast.unparse(documented.returns))] == code_sig, name
        firstresult = spec.trackmw_spec["firstresult"]  # type: ignore[attr-defined]
        assert ("firstresult=True" in docs.split(f"## {name}")[1].split("##")[0]) == firstresult
