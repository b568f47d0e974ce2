"""The ``trackmw`` command, the script adapter's identity, and a light ``import trackmw``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import trackmw


def _trackmw(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trackmw", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=180, env={**os.environ, **env})


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout.strip()


def test_run_a_script_in_a_git_repo(sqlite_store, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text(
        "import sys, mlflow\nmlflow.log_param('argv', ' '.join(sys.argv[1:]))\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-qm", "init")
    commit = _git(repo, "rev-parse", "HEAD")
    done = _trackmw("run", "--set", "tags=team=ml", "train.py", "--epochs", "3", cwd=repo)
    assert done.returncode == 0, done.stderr[-2000:]
    (run,) = sqlite_store.runs()
    tags = run.data.tags
    assert run.info.run_name == "train" and run.info.status == "FINISHED"
    assert run.data.params == {"argv": "--epochs 3"}
    assert tags["script.entry_point"] == "train.py" and tags["team"] == "ml"
    assert tags["mlflow.source.name"] == str(repo / "train.py")
    assert tags["mlflow.source.git.commit"] == commit
    assert run.info.run_id in done.stderr


def test_failing_script_fails_its_run(sqlite_store, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("raise ValueError('bad script')\n")
    (tmp_path / "done.py").write_text("import sys\nsys.exit(0)\n")
    assert _trackmw("run", "done.py", cwd=tmp_path).returncode == 0
    done = _trackmw("run", "bad.py", cwd=tmp_path)
    assert done.returncode != 0 and "bad script" in done.stderr
    assert [r.info.status for r in sqlite_store.runs()] == ["FINISHED", "FAILED"]


def test_doctor_shows_layers_and_masks_secrets(tmp_path: Path) -> None:
    done = _trackmw("doctor", "--set", "run_mode=nested", "--set", "credentials=TOKEN=s3cr3t",
                    cwd=tmp_path, TRACKMW_EXPERIMENT_NAME="exp",
                    MLFLOW_TRACKING_URI="http://u:pw@127.0.0.1:5000")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}
    assert "'nested'" in rows["run_mode"] and rows["run_mode"].endswith("explicit arguments")
    assert rows["experiment_name"].endswith("environment")
    assert rows["link_template"].endswith("defaults")
    assert "***" in rows["credentials"] and "s3cr3t" not in done.stdout
    assert "pw@" not in done.stdout and "127.0.0.1:5000" in rows["tracking_uri"]
    assert "default.task" in done.stdout


def test_bad_set_key_exits_2(tmp_path: Path) -> None:
    done = _trackmw("doctor", "--set", "run_mod=new", cwd=tmp_path)
    assert done.returncode == 2 and "run_mod" in done.stderr


def test_import_is_light() -> None:
    code = ("import sys, trackmw\n"
            "heavy = [m for m in ('mlflow', 'opentelemetry.sdk', 'flyte', 'kedro', 'prefect',"
            " 'sklearn', 'pandas', 'asyncio') if m in sys.modules]\n"
            "print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_public_api_is_typed_and_complete() -> None:
    package = Path(trackmw.__file__).parent
    assert (package / "py.typed").exists()
    assert all(hasattr(trackmw, name) for name in trackmw.__all__)
