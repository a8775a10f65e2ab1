"""`python -m sim.cli`: the `negsim` command."""

import os
import sys

from sim.cli import command

# `python -m sim.cli` puts the current directory first on the import path, where a file
# could shadow a module a command imports later or answer a 'module:Class' strategy name.
# The `negsim` command never has it there; neither does this.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]
command()
