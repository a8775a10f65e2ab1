"""Hypothesis keeps caches in `.hypothesis/` under the working directory, some of them as
soon as a strategy is built; here they go into a temporary folder, set before the test
modules are imported, so that the tests write nothing outside tmp paths."""

from __future__ import annotations

import tempfile

from hypothesis.configuration import set_hypothesis_home_dir

# Removed when the interpreter exits.
_HOME = tempfile.TemporaryDirectory(prefix="negsim-hypothesis-")
set_hypothesis_home_dir(_HOME.name)
