"""What the app's pages do, as plain functions: no Solara here, so each is tested alone.

Every step reuses what the command line uses: `load_scenario` and its `--set` overrides,
the provenance ranges (`sim.model.provenance`), `compare` for the strategy lab, `replay`
and the story for one war. Bad input raises the same `ConfigError`, whose one line the
page shows as the CLI prints it (after "negsim: error: ").
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import shipped
from sim.errors import ConfigError

# The run count the lab offers by default: the "20,000 runs per strategy".
DEFAULT_RUNS = 20_000
# The lab's chunks: small enough that the progress bar moves a few times per strategy. The
# numbers do not depend on it (each run draws from (seed, run, round, stream) alone).
LAB_CHUNK = 5_000
AS_CONFIGURED = "scenario"


# --------------------------------------------------------------------------------------------
# Scenarios: shipped, or uploaded through the page


def shipped_scenarios() -> list[str]:
    """The shipped scenarios' names, as `negsim scenarios` lists them."""
    return sorted(shipped.names("scenario"))


def save_upload(name: str, content: bytes, folder: Path) -> Path:
    """An uploaded scenario written into `folder` under its own file name (no directory
    part is kept), so that the file is read exactly as `negsim run` reads it."""
    base = Path(name.replace("\\", "/")).name or "uploaded.yaml"
    base = re.sub(r"[^\w.\-]", "_", base)
    if not base.endswith((".yaml", ".yml")):
        base += ".yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / base
    path.write_bytes(content)
    return path


def as_given(err: ConfigError, path: Path | None, shown: str | None) -> ConfigError:
    """The error as the CLI gives it for the file under the name the user knows it by
    (`negsim run my_war.yaml` in its folder), not the app's temporary copy."""
    if path is None or shown is None or err.file != str(path):
        return err
    return ConfigError(err.path, err.value, err.expected, file=shown, hint=err.hint)


def message(err: BaseException) -> str:
    """The one line the page shows for bad input: the CLI's line, without its
    "negsim: error: " prefix."""
    if isinstance(err, ConfigError):
        return str(err)
    if isinstance(err, OSError) and err.filename is not None:
        return f"{err.filename}: {err.strerror or err}"
    return f"{type(err).__name__}: {err}"


def load(path: str | Path, overrides: Sequence[str] = (), shown: str | None = None) -> Any:
    """`load_scenario(path, overrides)`, its errors naming the file as the user gave it."""
    from sim.model.config import load_scenario

    try:
        return load_scenario(path, list(overrides))
    except ConfigError as err:
        raise as_given(err, Path(path), shown) from None


def parse_set_lines(text: str) -> list[str]:
    """The page's free-form overrides: one `PATH=VALUE` per line, as `--set` takes them;
    blank lines and lines starting with '#' are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


# --------------------------------------------------------------------------------------------
# Assumptions: the sliders


@dataclass(frozen=True)
class Assumption:
    """One number the scenario declares an assumption, with its plausible range."""

    path: str
    value: float | int
    low: float | int
    high: float | int
    integer: bool
    step: float | int
    note: str = ""

    def clean(self, value: float) -> float | int:
        """A slider's value as the override takes it: an integer, or a float rounded to
        the slider's step (no 0.30000000000000004)."""
        if self.integer:
            return int(round(value))
        return round(float(value), _decimals(float(self.step)))


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step))) if step > 0 else 6


def _step(low: float, high: float) -> float:
    """A round step giving at least 100 positions between low and high."""
    span = high - low
    if span <= 0:
        return 0.01
    return float(10 ** math.floor(math.log10(span / 100)))


def assumptions(path: str | Path) -> list[Assumption]:
    """The scenario's numbers with a declared plausible range (`negsim provenance`), in the
    order the provenance lists them. A range is widened to take in the value itself when
    the file puts it outside (an override may do so on purpose). An uploaded file's facts
    are looked up in the shipped seeds/ when there is none beside it."""
    from sim.model.provenance import find_seeds, provenance_rows

    seeds = find_seeds(path)
    if not seeds.is_dir():
        seeds = shipped.folder("seeds")
    out = []
    for row in provenance_rows(str(path), str(seeds)):
        value = row.value
        if row.assumption is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        integer = isinstance(value, int)
        low, high = (float(x) for x in row.assumption)
        low, high = min(low, float(value)), max(high, float(value))
        if integer:
            out.append(
                Assumption(row.path, value, math.floor(low), math.ceil(high), True, 1, row.note)
            )
        else:
            out.append(Assumption(row.path, value, low, high, False, _step(low, high), row.note))
    return out


def slider_overrides(rows: Sequence[Assumption], values: Mapping[str, float | int]) -> list[str]:
    """`--set` strings for the sliders moved away from the scenario's own values."""
    out = []
    for row in rows:
        if row.path not in values:
            continue
        value = row.clean(values[row.path])
        if value != row.value:
            out.append(f"{row.path}={value!r}")
    return out


def scenario_yaml(path: str | Path, overrides: Sequence[str], shown: str | None = None) -> str:
    """The scenario file with the overrides applied, as YAML (checked first: what
    downloads is a scenario `negsim run` accepts)."""
    import yaml

    from sim.model.config import apply_overrides, parse_overrides, read_yaml

    sc = load(path, overrides, shown)
    raw = read_yaml(sc.source_file)
    data = apply_overrides(raw, parse_overrides(list(overrides)))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# --------------------------------------------------------------------------------------------
# The strategy lab


def strategy_names() -> list[str]:
    """The strategies the lab offers: the scenario's own mediator first, then every
    registered strategy (`negsim strategies`)."""
    from sim.model.strategies import registry

    return [AS_CONFIGURED, *registry.names()]


def check_runs_and_seed(runs: Any, seed: Any) -> tuple[int, int]:
    """The lab's run count and seed, refused as `negsim run` refuses them."""
    return (
        _integer("--runs", runs, 1, "a positive integer"),
        _integer("--seed", seed, 0, "a non-negative integer"),
    )


def check_run_index(index: Any, runs: int | None = None) -> int:
    """A run index to jump to, refused as `negsim run --run-index` refuses it (and, in a
    batch, one of its runs)."""
    value = _integer("--run-index", index, 0, "a non-negative integer")
    if runs is not None and value >= runs:
        raise ConfigError("--run-index", value, f"a run of the batch, 0 to {runs - 1}")
    return value


def _integer(option: str, value: Any, least: int, expected: str) -> int:
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ConfigError(option, value, expected)
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(option, value, expected)
    return value


@dataclass
class LabResult:
    """A finished lab run: the comparison and what it was asked."""

    comparison: Any  # sim.experiments.compare.Comparison
    overrides: list[str]

    def rows(self) -> list[dict[str, Any]]:
        """One row per strategy, its numbers formatted as `negsim run` prints them."""
        out = []
        for name, s in self.comparison.summaries().items():
            low, high = s.p_settlement_ci
            median = s.median_settlement_round
            collapse = s.p_collapse_given_settlement
            out.append(
                {
                    "strategy": name,
                    "p_settlement": f"{s.p_settlement:.3f}",
                    "interval": f"95% CI {low:.3f}-{high:.3f}",
                    "median_round": "not reached" if median is None else str(median),
                    "collapsed": "-" if collapse is None else f"{collapse:.3f}",
                    "shares": ", ".join(
                        f"{o} {n / s.runs:.1%}" for o, n in s.outcomes.items() if n > 0
                    ),
                }
            )
        return out

    def runs_table(self) -> Any:
        return self.comparison.runs_table()

    def runs_bytes(self, fmt: str) -> bytes:
        """The runs table of every strategy as Parquet or CSV."""
        table = self.runs_table()
        if fmt == "csv":
            return table.to_csv(index=False).encode()
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
        return buffer.getvalue()

    def figures(self) -> tuple[Any, Any]:
        """Time to settlement (Kaplan–Meier and hazard) and the outcome shares, per strategy."""
        from sim.reports import analysis, plots

        runs, sc = self.runs_table(), self.comparison.scenario
        surv = analysis.survival_table(runs, sc.horizon, "strategy")
        haz = analysis.hazard_table(runs, sc.horizon, "strategy")
        curves = plots.plot_time_to_settlement(surv, haz, by="strategy", round_days=sc.round_days)
        shares = plots.plot_outcome_shares(
            analysis.outcome_shares(runs, "strategy"), by="strategy", xlabel="Mediator strategy"
        )
        return curves, shares


def run_lab(
    scenario: Any,
    strategies: Sequence[str],
    runs: int,
    seed: int,
    overrides: Sequence[str] = (),
    progress: Callable[[float], None] | None = None,
) -> LabResult:
    """Every chosen strategy on the same runs (`negsim compare`), reporting the share done."""
    from sim.experiments.compare import compare

    total = max(runs * len(strategies), 1)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done / total)

    result = compare(
        scenario, list(strategies), runs=runs, seed=seed, chunk_size=LAB_CHUNK, progress=step
    )
    return LabResult(comparison=result, overrides=list(overrides))


# --------------------------------------------------------------------------------------------
# One war


def war_scenario(scenario: Any, strategy: str) -> Any:
    """The scenario a strategy of the lab ran: the scenario itself for `scenario`."""
    from sim.experiments.compare import strategy_variant

    return strategy_variant(scenario, strategy)


def story_so_far(model: Any, index: int) -> str:
    """The story of a run stepped so far, in the lines `negsim run --run-index` prints."""
    from sim.reports.story import story_rounds

    head, rounds, summary = story_rounds(model, index)
    lines = [head] + [line for block in rounds for line in block]
    return "\n".join(lines + ([""] + summary if summary else []))
