"""Run one generated case through `sim.cli.main` and check the command-line contract.

The contract (docs/cli.md, "Bad input"): valid input exits 0; bad input exits 2 with exactly
one line on stderr starting `negsim: error: `; never a traceback, never an exception out of
`main`, never a hang; `negsim validate` may also exit 1 (a check missed at a tiny size).
Printed JSON, a sweep's summary.csv and a sensitivity analysis's indices.csv hold no NaN or
infinity where the value is defined (an undefined one is documented as such).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sim.cli import main

CASE_SECONDS = 20  # a case that takes longer is a hang: every valid case here is tiny

# Columns of summary.csv that may be empty: the median round when under half the runs settle.
MAY_BE_UNDEFINED = frozenset({"median_settlement_round"})


@dataclass(frozen=True)
class Case:
    """One generated command: files to write into a fresh folder, then `main(argv)` there.

    `argv` items may hold `{dir}`, replaced by that folder's path.
    """

    kind: str
    argv: tuple[str, ...]
    files: tuple[tuple[str, bytes], ...] = ()

    def describe(self) -> dict[str, object]:
        """The case as plain data, to record a finding."""
        return {
            "kind": self.kind,
            "argv": list(self.argv),
            "files": {name: body.decode("utf-8", "backslashreplace") for name, body in self.files},
        }


@dataclass
class Outcome:
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    escaped: str | None = None  # the traceback of an exception that left main
    hung: bool = False
    problems: list[str] = field(default_factory=list)


class _Hang(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` swallows it."""


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise _Hang

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    # Relative outputs land in the case's folder, never in the working tree.
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_case(case: Case, folder: Path, seconds: int = CASE_SECONDS) -> Outcome:
    """Write the case's files into `folder`, run it there, and check the contract."""
    import time

    folder.mkdir(parents=True, exist_ok=True)
    for name, body in case.files:
        (folder / name).write_bytes(body)
    argv = [a.replace("{dir}", str(folder)) for a in case.argv]
    out, err = io.StringIO(), io.StringIO()
    code: int | None = None
    escaped = None
    hung = False
    start = time.perf_counter()
    with (
        _inside(folder),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            with _alarm(seconds):
                code = main(argv)
        except SystemExit as stop:  # argparse's one-line usage error
            code = stop.code if isinstance(stop.code, int) else 2
        except _Hang:
            hung = True
        except Exception:
            escaped = traceback.format_exc()
    outcome = Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)
    outcome.escaped, outcome.hung = escaped, hung
    outcome.problems = contract_problems(case, outcome, folder)
    return outcome


def contract_problems(case: Case, outcome: Outcome, folder: Path) -> list[str]:
    """What the outcome breaks of the contract; empty if nothing."""
    problems: list[str] = []
    if outcome.hung:
        return [f"no answer within {CASE_SECONDS} s"]
    if outcome.escaped is not None:
        return ["exception escaped main:\n" + outcome.escaped]
    if "Traceback" in outcome.stderr:
        problems.append("traceback on stderr")
    allowed = (0, 1, 2) if case.kind == "validate" else (0, 2)
    if outcome.code not in allowed:
        problems.append(f"exit code {outcome.code!r}, expected one of {allowed}")
    if outcome.code == 2:
        lines = outcome.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith("negsim: error: "):
            problems.append(f"stderr is not one 'negsim: error: ' line: {outcome.stderr!r}")
    if outcome.code == 0:
        if "--json" in case.argv:
            problems.extend(_json_problems(outcome.stdout))
        if case.kind == "sweep":
            problems.extend(_summary_problems(folder / "o" / "summary.csv"))
        if case.kind == "sensitivity":
            problems.extend(_indices_problems(folder / "s"))
    return problems


def _indices_problems(folder: Path) -> list[str]:
    """Indices are finite, except the Sobol indices of an output that is the same at every
    point, which are NaN by definition (no variance to apportion;
    sim.experiments.sensitivity.analyse)."""
    import numpy as np
    import pandas as pd

    if not (folder / "indices.csv").exists():
        return ["indices.csv missing after exit 0"]
    indices = pd.read_csv(folder / "indices.csv")
    design = pd.read_parquet(folder / "design.parquet")
    found = []
    for output, rows in indices.groupby("output"):
        constant = output in design and np.ptp(design[output].to_numpy(dtype=float)) == 0.0
        for column in rows.columns:
            if column in ("output", "parameter"):
                continue
            values = rows[column].astype(float).to_numpy()
            bad = np.isinf(values) | (np.isnan(values) & (not constant))
            if bad.any():
                found.append(f"indices.csv {output} {column} holds NaN or infinity: {values}")
    return found


def _json_problems(text: str) -> list[str]:
    def refuse(constant: str) -> float:
        raise ValueError(constant)

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError as err:
        return [f"--json output is not strict JSON ({err}): {text[:300]!r}"]
    return []


def _summary_problems(path: Path) -> list[str]:
    import pandas as pd

    if not path.exists():
        return [f"{path.name} missing after exit 0"]
    table = pd.read_csv(path)
    found = []
    for column in table.columns:
        if column in MAY_BE_UNDEFINED or not pd.api.types.is_numeric_dtype(table[column]):
            continue
        values = table[column].astype(float)
        if any(not math.isfinite(v) for v in values):
            found.append(f"{path.name} column {column} holds NaN or infinity: {list(values)}")
    return found
