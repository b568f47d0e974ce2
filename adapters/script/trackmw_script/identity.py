"""Task identity of a plain script: the function or script name, entry point, git commit."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trackmw import TaskInfo

__all__ = ["git_commit", "script_task"]


def script_task(fn: Callable[..., Any] | None) -> TaskInfo:
    """The task for ``fn`` (or the running script when None)."""
    entry = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    script = Path(entry).stem if entry and entry != "-c" else "python"
    name = getattr(fn, "__qualname__", None) or script
    tags = {"script.entry_point": os.path.basename(entry) or "<interactive>"}
    if fn is not None:
        tags["script.function"] = f"{fn.__module__}.{name}"
    if os.path.isfile(entry):
        tags["mlflow.source.name"] = entry
        tags["mlflow.source.type"] = "LOCAL"
        commit = git_commit(os.path.dirname(entry))
        if commit:
            tags["mlflow.source.git.commit"] = commit
    return TaskInfo(adapter="script", name=name, tags=tags)


@functools.lru_cache(maxsize=32)
def git_commit(start: str) -> str | None:
    """The commit checked out in the git work tree holding ``start``, read without git."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        git = folder / ".git"
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            git = (folder / git.read_text().split(":", 1)[1].strip()).resolve()
        if git.is_dir():
            return _resolve_head(git)
    return None


def _resolve_head(git: Path) -> str | None:
    try:
        head = (git / "HEAD").read_text().strip()
    except OSError:
        return None
    if not head.startswith("ref:"):
        return head or None
    ref = head[4:].strip()
    common = git / "commondir"
    roots = [git] + ([(git / common.read_text().strip()).resolve()] if common.is_file() else [])
    for root in roots:
        if (root / ref).is_file():
            return (root / ref).read_text().strip()
        packed = root / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split(" ", 1)[0]
    return None  # a branch with no commits yet
