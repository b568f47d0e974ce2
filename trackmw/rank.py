"""This process's distributed rank, detected without importing any framework."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

__all__ = ["RANK_VARIABLES", "detect_rank"]

#: Checked in order; the first set variable wins.
RANK_VARIABLES = (
    "RANK",
    "SLURM_PROCID",
    "OMPI_COMM_WORLD_RANK",
    "PMI_RANK",
    "JAX_PROCESS_ID",
    "LOCAL_RANK",
)


def detect_rank(environ: Mapping[str, str] | None = None) -> int | None:
    """The rank from launcher variables, else an initialised ``torch.distributed``.

    A variable that is set but not an integer is ignored (with the next one tried), never
    a crash. torch is only consulted when already imported.
    """
    environ = os.environ if environ is None else environ
    for name in RANK_VARIABLES:
        text = environ.get(name, "").strip()
        if text.lstrip("-").isdigit():
            return int(text)
    dist = sys.modules.get("torch.distributed")
    if dist is not None and dist.is_available() and dist.is_initialized():
        return int(dist.get_rank())
    return None
