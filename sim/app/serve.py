"""The server behind `negsim app`: Solara's own server (`solara run`) over sim.app.pages,
listening on 127.0.0.1 only.

Nothing here imports Solara: `missing_extra` looks the packages up without loading them,
and the server runs as `python -m solara run ...` in a child process, which Ctrl-C stops
with the command.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
EXTRA = 'pip install -e ".[app]"'

# What the app needs beyond negsim's own dependencies (the `app` extra of pyproject.toml):
# Solara, its assets (served locally, not from a CDN), and Altair, which Mesa's
# visualisation package imports.
NEEDS = ("solara", "solara_assets", "altair")


def missing_extra() -> list[str]:
    """The packages of the app's extra that are not installed."""
    return [name for name in NEEDS if importlib.util.find_spec(name) is None]


def command(port: int) -> list[str]:
    """The `solara run` command line of the app."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.app.pages",
        "--host",
        HOST,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def environment(scenario: str) -> dict[str, str]:
    """The server's environment: the scenario to start with, and no telemetry (the app
    talks to nothing but the browser on this machine; `command` also turns off Solara's
    version check against PyPI)."""
    env = dict(os.environ)
    env["NEGSIM_APP_SCENARIO"] = scenario
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    return env


def serve(scenario: str, port: int, argv: list[str] | None = None) -> int:
    """Run the app until Ctrl-C or a SIGTERM; return the server's exit code (128 + the
    signal's number when a signal stopped it).

    A SIGTERM to this process (`kill PID`) stops the server too: it would otherwise go on
    serving on its own. Ctrl-C reaches both, as they share the terminal's process group.
    `argv` replaces the server's command line (tests).
    """
    with subprocess.Popen(argv or command(port), env=environment(scenario)) as server:

        def stop(signum: int, frame: object) -> None:
            server.terminate()

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            code = server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait()
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
    return 128 - code if code < 0 else code
