"""Run modes, statuses, state restoration and the Run handle, read back from real stores."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import mlflow
import pytest

import trackmw


def _only_run(store):
    runs = store.runs()
    assert len(runs) == 1, [r.info.run_name for r in runs]
    return runs[0]


def test_finished_on_return(store) -> None:
    @trackmw.track
    def task() -> str:
        mlflow.log_param("p", "1")
        return "result"

    assert task() == "result"
    run = _only_run(store)
    assert run.info.status == "FINISHED" and run.data.params == {"p": "1"}
    assert run.info.run_name == "test_finished_on_return.<locals>.task"


def test_failed_on_exception_same_object_reraised(store) -> None:
    error = ValueError("boom")

    @trackmw.track
    def task() -> None:
        raise error

    with pytest.raises(ValueError) as caught:
        task()
    assert caught.value is error
    assert _only_run(store).info.status == "FAILED"


@pytest.mark.parametrize(("raised", "status"), [
    (KeyboardInterrupt(), "KILLED"), (SystemExit(3), "KILLED"), (SystemExit(0), "FINISHED"),
    (SystemExit(), "FINISHED"),
], ids=["interrupt", "exit-3", "exit-0", "exit-none"])
def test_interrupt_and_exit(store, raised: BaseException, status: str) -> None:
    @trackmw.track
    def task() -> None:
        raise raised

    with pytest.raises(type(raised)):
        task()
    assert _only_run(store).info.status == status


def test_killed_on_cancellation(store) -> None:
    @trackmw.track
    async def task() -> None:
        await asyncio.sleep(10)

    async def main() -> None:
        running = asyncio.ensure_future(task())
        await asyncio.sleep(0.5)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    asyncio.run(main())
    assert _only_run(store).info.status == "KILLED"


def test_killed_on_sigterm(sqlite_store, tmp_path: Path) -> None:
    script = tmp_path / "term.py"
    script.write_text(textwrap.dedent("""
        import os, signal, trackmw
        @trackmw.track
        def task():
            os.kill(os.getpid(), signal.SIGTERM)
            import time; time.sleep(30)
        task()
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 128 + 15, done.stderr[-2000:]
    assert _only_run(sqlite_store).info.status == "KILLED"


def test_callers_active_run_restored_and_untouched(store) -> None:
    @trackmw.track(run_mode="new")
    def independent() -> str:
        mlflow.log_param("inner", "1")
        return mlflow.active_run().info.run_id

    @trackmw.track(run_mode="nested")
    def nested() -> str:
        return mlflow.active_run().info.run_id

    with mlflow.start_run() as outer:
        inner_id = independent()
        assert mlflow.active_run().info.run_id == outer.info.run_id
        nested_id = nested()
        assert mlflow.active_run().info.run_id == outer.info.run_id
        assert store.run(outer.info.run_id).info.status == "RUNNING"
        mlflow.log_param("outer", "1")
    assert mlflow.active_run() is None
    assert store.run(outer.info.run_id).data.params == {"outer": "1"}
    assert store.run(inner_id).data.params == {"inner": "1"}
    assert "mlflow.parentRunId" not in store.run(inner_id).data.tags
    assert nested_id != outer.info.run_id


def test_run_modes_auto_new_nested(store) -> None:
    seen: dict[str, str] = {}

    def make(mode: str):
        @trackmw.track(name=mode, run_mode=mode)
        def child() -> None:
            seen[mode] = trackmw.active_run().run_id

        return child

    @trackmw.track
    def parent() -> None:
        seen["parent"] = trackmw.active_run().run_id
        for mode in ("auto", "new", "nested"):
            make(mode)()

    parent()
    assert seen["auto"] == seen["parent"]
    by_id = {r.info.run_id: r for r in store.runs()}
    assert len(by_id) == 3
    assert "mlflow.parentRunId" not in by_id[seen["new"]].data.tags
    assert by_id[seen["nested"]].data.tags["mlflow.parentRunId"] == seen["parent"]
    assert {r.info.status for r in by_id.values()} == {"FINISHED"}


def test_resume_and_disabled(store) -> None:
    client = store.client
    earlier = client.create_run(client.create_experiment(store.experiment))
    client.set_terminated(earlier.info.run_id, "KILLED")

    @trackmw.track(run_id=earlier.info.run_id)
    def resumed() -> str:
        assert store.run(earlier.info.run_id).info.status == "RUNNING"
        mlflow.log_metric("again", 1.0)
        return trackmw.active_run().run_id

    assert resumed() == earlier.info.run_id
    assert store.run(earlier.info.run_id).info.status == "FINISHED"

    @trackmw.track(enabled=False)
    def off() -> object:
        return trackmw.active_run()

    assert off() is None
    assert len(store.runs()) == 1


def test_generators_tracked(store) -> None:
    @trackmw.track
    def gen():
        for i in range(3):
            mlflow.log_metric("i", float(i), step=i)
            yield trackmw.active_run().run_id

    @trackmw.track
    async def agen():
        for i in range(2):
            mlflow.log_param(f"a{i}", i)
            yield trackmw.active_run().run_id

    ids = list(gen())
    assert len(set(ids)) == 1 and trackmw.active_run() is None

    async def consume() -> list[str]:
        return [x async for x in agen()]

    aids = asyncio.run(consume())
    assert len(set(aids)) == 1
    gen_run, agen_run = store.run(ids[0]), store.run(aids[0])
    assert [m.value for m in store.client.get_metric_history(ids[0], "i")] == [0.0, 1.0, 2.0]
    assert agen_run.data.params == {"a0": "0", "a1": "1"}
    assert gen_run.info.status == agen_run.info.status == "FINISHED"


def test_start_run_block_and_runscope_begin_end(store) -> None:
    with trackmw.start_run("block", tags={"kind": "block"}) as run:
        assert run is not None and trackmw.active_run() is run
        run.log_params({"x": 1})
    scope = trackmw.RunScope(name="hooks")
    began = scope.begin()
    assert trackmw.active_run() is began
    mlflow.log_param("from_fluent", "yes")
    scope.end(RuntimeError("pipeline failed"))
    assert trackmw.active_run() is None
    runs = {r.info.run_name: r for r in store.runs()}
    assert runs["block"].data.tags["kind"] == "block" and runs["block"].data.params == {"x": "1"}
    assert runs["hooks"].info.status == "FAILED"
    assert runs["hooks"].data.params == {"from_fluent": "yes"}


def test_config_error_before_any_run(store) -> None:
    @trackmw.track
    def task() -> None:
        raise AssertionError("body must not run")

    with trackmw.tracking_config(link_template="{run_id[0]}"), pytest.raises(
        trackmw.ConfigError, match="link_template"
    ):
        task()
    with pytest.raises(trackmw.ConfigError, match="auto | new | nested"):
        trackmw.track(run_mode="sideways")
    assert store.runs() == []


def test_unreachable_store_raises_tracking_error_without_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    ran = []

    @trackmw.track(tracking_uri="http://alice:hunter2@127.0.0.1:9", experiment_name="x")
    def task() -> None:
        ran.append(1)

    with pytest.raises(trackmw.TrackingError) as caught:
        task()
    assert "127.0.0.1:9" in str(caught.value) and "hunter2" not in str(caught.value)
    assert ran == []


def test_run_handle_writes_to_its_own_run(store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "b.txt").write_text("b")

    @trackmw.track(flatten_params=True)
    def task() -> str:
        run = trackmw.active_run()
        run.log_param("single", 1)
        run.log_params({"cfg": {"lr": 0.1}})
        run.log_metric("loss", 0.5, step=2)
        run.log_metrics({"acc": 0.9})
        run.set_tag("t1", "v1")
        run.set_tags({"t2": 2})
        run.log_artifact(str(tmp_path / "a.txt"))
        run.log_artifacts(str(tmp_path / "dir"), "more")
        return run.run_id

    run = store.run(task())
    assert run.data.params == {"single": "1", "cfg.lr": "0.1"}
    assert run.data.metrics == {"loss": 0.5, "acc": 0.9}
    assert run.data.tags["t1"] == "v1" and run.data.tags["t2"] == "2"
    paths = {a.path for a in store.client.list_artifacts(run.info.run_id)}
    assert paths == {"a.txt", "more"}
    assert os.environ.get("BAGGAGE") is None
