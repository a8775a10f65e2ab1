"""How large a sweep or a sensitivity analysis may be (docs/cli.md, "Limits").

Each is checked when the spec is read, before a point is listed or a run starts: a design
too large to list would exhaust the memory, and one too large to run in a working day should
be asked for on purpose.
"""

from __future__ import annotations

from sim.errors import ConfigError

# Points of one design: each is built and checked before any run, at about 3 ms and 60 kB a
# point (10,000 points of one short run took 28 s and 590 MB), as a validation ensemble's.
MAX_POINTS = 10_000
MAX_RUNS_PER_POINT = 100_000_000
MIN_CHUNK = 10  # below, a chunk's fixed cost per round (a few ms) is most of its time
CONFIRM_RUNS = 20_000_000  # above, --yes: about 40 minutes on one core at 8,700 runs/s
RUNS_PER_SECOND = 8_700  # the engine on the Ukraine scenario, one core (benchmarks/README.md)


def check_design_points(points: int, path: str, value: object = None) -> None:
    """Refuse a design of more than MAX_POINTS points; `value` is what the user wrote at
    `path`, when the points follow from it (a sensitivity analysis's samples)."""
    if points > MAX_POINTS:
        shown = points if value is None else value
        has = "" if value is None else f", not {points:,}"
        raise ConfigError(
            path, shown, f"a design of at most {MAX_POINTS:,} points{has} (split a larger one)"
        )


def check_total(points: int, runs_per_point: int, *, file: str, confirmed: bool) -> None:
    """Refuse a design of more than CONFIRM_RUNS runs unless the user said --yes."""
    total = points * runs_per_point
    if total <= CONFIRM_RUNS or confirmed:
        return
    hours = total / RUNS_PER_SECOND / 3600
    raise ConfigError(
        "",
        f"<{points:,} points x {runs_per_point:,} runs = {total:,} runs>",
        f"at most {CONFIRM_RUNS:,} runs, or --yes to run them (about {hours:,.1f} hours on one "
        "core; shrink them with --runs)",
        file=file,
    )
