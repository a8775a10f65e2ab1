"""What every worker process of negsim does first (sweeps, validation)."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """Ask the kernel to kill this worker when the process that started it dies.

    A parent killed outright (SIGKILL, the out-of-memory killer) runs no clean-up, and its
    pool's workers would otherwise wait on a queue nobody writes to. Linux only; elsewhere
    the workers notice when their pool's pipe closes.
    """
    if not sys.platform.startswith("linux"):
        return
    started_by = multiprocessing.parent_process()
    parent = started_by.pid if started_by is not None else os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took hold (orphaned)
        os._exit(1)
