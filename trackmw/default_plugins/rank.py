"""Built-in rank detection from launcher variables and ``torch.distributed``."""

from __future__ import annotations

from trackmw.config import ResolvedConfig
from trackmw.hookspecs import hookimpl
from trackmw.rank import detect_rank
from trackmw.task import TaskInfo


@hookimpl(trylast=True)
def trackmw_gate_by_rank(task: TaskInfo, config: ResolvedConfig) -> int | None:
    return detect_rank()
