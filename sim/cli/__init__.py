"""Command-line interface: the `negsim` command and its subcommands.

The only package that prints. Bad input ends with one line on stderr and exit code 2.

    parser.py     the argument parser, one function per command
    commands.py   run, compare, plot, sensitivity, app (the browser app, sim/app/)
    listing.py    provenance, strategies, scenarios
    validate.py   validate
    discover.py   discover (scenario discovery with EMA Workbench's PRIM, an optional extra)
    forecast.py   forecast
    (sweep_cli.py, beside the package, holds `negsim sweep`)

Start-up time matters here: a bad input must be reported without loading numpy, pandas or
the engine (benchmarks/bench_startup.py). So this package imports only the standard
library and light modules at the top, and each command imports the heavy ones inside its
function, after its input has been checked.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from sim.cli import discover as discover_cli
from sim.cli import forecast as forecast_cli
from sim.cli import sweep as sweep_cli
from sim.cli.commands import _summary_text as _summary_text  # the tests read it here
from sim.cli.commands import cmd_app, cmd_compare, cmd_plot, cmd_run, cmd_sensitivity
from sim.cli.listing import cmd_provenance, cmd_scenarios, cmd_strategies
from sim.cli.parser import EXIT_BAD_INPUT, _parser, _usage_error
from sim.cli.validate import cmd_validate
from sim.errors import FILE_WIDTH, ConfigError, printable, shorten

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "command", "main"]

EXIT_INTERRUPTED = sweep_cli.EXIT_INTERRUPTED

# Each command's function, by the name it is given on the command line.
_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "provenance": cmd_provenance,
    "strategies": lambda args: cmd_strategies(),
    "scenarios": cmd_scenarios,
    "compare": cmd_compare,
    "plot": cmd_plot,
    "sensitivity": cmd_sensitivity,
    "discover": discover_cli.command,
    "sweep": sweep_cli.command,
    "validate": cmd_validate,
    "forecast": forecast_cli.command,
    "app": cmd_app,
}


def command() -> NoReturn:
    """The `negsim` command as a process: `main`, its output flushed, then the process
    ends with its code without the interpreter's own teardown. Every command has closed
    what it opened by then (files, worker pools, a Dask cluster), and its results are on
    disk; the teardown would only stop native thread pools that libraries leave running,
    which can abort the process after its work is done (Arrow's, reading Parquet), and,
    after a Ctrl-C, join a pool of workers the interrupt has half torn down, printing a
    traceback of its own. Workers die with the process."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `negsim` command with these arguments (default: the process's); return its
    exit code: 0, 2 for bad input, 130 when interrupted (a sweep may return 1)."""
    # Arguments left over are reported here, where the command they followed is known
    # (argparse reports them from the top-level parser, as if no command had been given).
    args, extra = _parser().parse_known_args(argv)
    if extra:
        _usage_error(f"unrecognized arguments: {' '.join(extra)}", f"negsim {args.command}")
    # Whatever a message quotes (a file name with a byte that is not UTF-8, say) is written
    # with escapes rather than ending the command in an encoding error.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if getattr(args, "allow_import", False):
        from sim.model.strategies.registry import allow_imports  # only when asked: it loads numpy

        allow_imports()
    try:
        _check_text_arguments(args)
        return _COMMANDS[args.command](args)
    except ConfigError as err:
        sys.stderr.write(f"negsim: error: {err}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # Ctrl-C is the user's choice, not a failure: one line, no traceback. A sweep and a
        # sensitivity analysis say what they keep on their own.
        sys.stderr.write("negsim: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error of ours.
        sys.stderr.close()
        return 0
    except OSError as err:
        # The file system said no (a name too long, no permission, a full disk, a read-only
        # folder, an I/O error): one line naming the file. What was finished is on disk; a
        # sweep or a sensitivity analysis resumes from it.
        where = f"{shorten(str(err.filename), FILE_WIDTH)}: " if err.filename is not None else ""
        sys.stderr.write(f"negsim: error: {printable(f'{where}{err.strerror or err}')}\n")
        return EXIT_BAD_INPUT


def _check_text_arguments(args: argparse.Namespace) -> None:
    """A command-line value that is not valid text (a byte that is not UTF-8 arrives as a
    lone surrogate) could not be written into a manifest or a table: refused at the door."""
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    option = name if name in ("scenario", "spec", "folder") else f"--{name}"
                    raise ConfigError(
                        option.replace("_", "-"), item, "text in UTF-8 (no undecodable bytes)"
                    ) from None
