"""Every benchmark still runs and prints its ratios (smallest sizes; nothing is timed here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SMALLEST = {
    "bench_core.py": ["--tasks", "1"],
    "bench_flyte.py": ["--repeats", "1", "--children", "1"],
    "bench_kedro.py": ["--repeats", "1"],
    "bench_prefect.py": ["--repeats", "1", "--children", "1"],
}


def test_every_benchmark_is_listed() -> None:
    assert sorted(p.name for p in HERE.glob("bench_*.py")) == sorted(SMALLEST)


@pytest.mark.parametrize("script", sorted(SMALLEST))
def test_benchmark_runs_and_prints_ratios(script: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(HERE / script), *SMALLEST[script]],
                          cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    ratios = re.findall(r"x\s*(\d+\.\d+) vs ", done.stdout)
    assert len(ratios) >= 2 and "1.00" in ratios, done.stdout  # a baseline and a ratio to it
