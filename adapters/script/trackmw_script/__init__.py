"""trackmw for plain Python scripts: ``@trackmw.track`` or ``python -m trackmw run train.py``."""

from __future__ import annotations

from trackmw_script.identity import git_commit, script_task

__all__ = ["git_commit", "script_task"]
