"""The reports of `negsim validate`: one line per expectation, and the exit code."""

from __future__ import annotations

import os
from collections.abc import Sequence

from sim.experiments.validation.bootstrap import Outcome
from sim.experiments.validation.checks import number


def exit_code(outcomes: Sequence[Outcome], allow_known: bool = False) -> int:
    """0 when every expectation is met; with `allow_known`, also when every miss belongs to
    a check declared as a known failure (a regression guard for the rest)."""
    missed = [o for o in outcomes if not o.passed]
    if allow_known:
        missed = [o for o in missed if not o.check.known_failure]
    return 1 if missed else 0


def default_workers() -> int:
    """Worker processes when none are asked for: the CPUs, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def format_table(outcomes: Sequence[Outcome]) -> str:
    """The report: one line per expectation, grouped by check, with the source once."""
    lines = []
    current = None
    for o in outcomes:
        if o.check.name != current:
            current = o.check.name
            lines.append("")
            lines.append(f"[{o.check.group}] {o.check.name}: {o.check.title}")
            lines.append(f"    source: {o.check.source}")
            if o.check.known_failure:
                lines.append(f"    known failure: {o.check.known_failure}")
        e = o.estimate
        model = number(e.value)
        if not (e.low == e.value == e.high):
            model += f" (95% CI {number(e.low)}-{number(e.high)})"
        mark = "PASS" if o.passed else "FAIL"
        lines.append(f"  {mark}  expected {o.condition.describe()}; model {model}")
        if o.note:
            lines.append(f"        {o.note}")
    passed = sum(o.passed for o in outcomes)
    checks = {o.check.name for o in outcomes}
    failed_checks = {o.check.name for o in outcomes if not o.passed}
    lines.append("")
    good = len(checks) - len(failed_checks)
    known = {o.check.name for o in outcomes if o.check.known_failure}
    failing = ""
    if failed_checks:
        failing = (
            " (failing: "
            + ", ".join(f"{n} [known]" if n in known else n for n in sorted(failed_checks))
            + ")"
        )
    lines.append(
        f"{passed}/{len(outcomes)} expectations met; {good}/{len(checks)} checks pass{failing}"
    )
    return "\n".join(lines[1:])
