"""Mesa, imported without changing the process's global state.

Mesa 3.3 sets the multiprocessing start method to "spawn" for the whole process when it is
imported. Importing negsim must have no such effect: a user's script that runs a sweep on
worker processes would then be imported again by every worker (and stop at its own sweep).
"""

from __future__ import annotations

import multiprocessing

_START_METHOD = multiprocessing.get_start_method(allow_none=True)

import mesa  # noqa: E402  (the start method has to be read before Mesa is imported)

if multiprocessing.get_start_method(allow_none=True) != _START_METHOD:
    multiprocessing.set_start_method(_START_METHOD, force=True)

__all__ = ["mesa"]
