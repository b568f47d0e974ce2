"""Rank gating: only rank 0 logs; other ranks never import mlflow and create nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import trackmw
from trackmw.rank import RANK_VARIABLES, detect_rank


@pytest.mark.parametrize("variable", RANK_VARIABLES)
def test_each_rank_variable(variable: str) -> None:
    assert detect_rank({variable: "3"}) == 3


def test_first_integer_wins_and_garbage_is_skipped() -> None:
    assert detect_rank({"RANK": "not-a-number", "SLURM_PROCID": "2"}) == 2
    assert detect_rank({"RANK": " 1 ", "SLURM_PROCID": "0"}) == 1
    assert detect_rank({}) is None


def test_explicit_rank_wins_over_environment(sqlite_store,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RANK", "3")

    @trackmw.track(rank=0)
    def chosen() -> object:
        return trackmw.active_run()

    @trackmw.track
    def detected() -> object:
        return trackmw.active_run()

    assert chosen() is not None
    assert detected() is None
    assert len(sqlite_store.runs()) == 1


def _run(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "gated.py"
    script.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(script)], cwd=tmp_path, text=True,
                          capture_output=True, timeout=180, env={**os.environ, **env})


def test_gated_rank_never_imports_mlflow(sqlite_store, tmp_path: Path) -> None:
    done = _run("""
        import sys, trackmw
        @trackmw.track
        def task(x):
            assert trackmw.active_run() is None
            return x * 2
        assert task(21) == 42
        with trackmw.start_run("block") as run:
            assert run is None
        assert "mlflow" not in sys.modules, sorted(m for m in sys.modules if "mlflow" in m)
        print("ok")
    """, tmp_path, RANK="1")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
    assert sqlite_store.runs() == []


def test_gated_rank_fluent_logging_creates_nothing(sqlite_store, tmp_path: Path) -> None:
    done = _run("""
        import trackmw
        @trackmw.track
        def task():
            import mlflow
            mlflow.log_param("p", 1)
            mlflow.log_metric("m", 1.0)
            mlflow.set_tag("t", "x")
            return "done"
        print(task())
    """, tmp_path, SLURM_PROCID="2")
    assert done.returncode == 0 and done.stdout.strip() == "done", done.stderr[-2000:]
    assert sqlite_store.runs() == []
    assert not (tmp_path / "mlruns").exists() and not (tmp_path / "mlflow.db").exists()
    control = _run("""
        import trackmw
        @trackmw.track
        def task():
            import mlflow
            mlflow.log_param("p", 1)
        task()
    """, tmp_path, SLURM_PROCID="0")
    assert control.returncode == 0, control.stderr[-2000:]
    assert len(sqlite_store.runs()) == 1, "the store recorded nothing: the check proves nothing"
