"""`negsim plot`: read a results folder, compute the tables, save the figures that fit.

What a folder holds is read from its manifest's "kind":

* run: runs.parquet; time to settlement (Kaplan–Meier + hazard) and outcome shares.
* compare: runs.parquet with a `strategy` column; settlement probability per strategy,
  time to settlement and outcome shares per strategy.
* sweep: points.parquet and the runs/ dataset (rows carry `point`), manifest["parameters"];
  settlement probability against each parameter (its main effect, pooled over the others;
  with two parameters one line per value of the other), a heat map over the first two
  parameters, outcome shares per point, and time to settlement per value of the first
  parameter when it takes few values.
* trace: trace.parquet; the single-run panels.
* sensitivity: indices.parquet; the bar chart of the indices.

Figures go to `<folder>/figures/<name>.<format>`. This module reads and writes files; the
tables come from `sim.reports.analysis` and the drawing from `sim.reports.plots`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.experiments.forecast import evaluation as forecast_evaluation
from sim.experiments.storage import read_manifest
from sim.experiments.sweep import verified_chunks
from sim.reports import analysis, plots

FORMATS = ("png", "svg", "pdf")
KINDS = ("run", "compare", "sweep", "trace", "sensitivity", "forecast")
# Columns the figures need from a per-run table (reading only these keeps a large sweep cheap).
RUN_COLUMNS = ["settlement_round", "collapse_round", "end_round", "outcome"]
# A time-to-settlement figure with more curves than this is unreadable.
MAX_CURVES = 8
# The second parameter of a two-parameter sweep gets one line per value up to this many.
MAX_HUE = 6


def folder_kind(folder: Path, manifest: dict[str, Any]) -> str:
    """The kind of a results folder. A manifest without "kind" next to a runs.parquet is a
    batch of `negsim run` written before kinds were recorded."""
    kind = manifest.get("kind")
    if kind is None and (folder / "runs.parquet").is_file():
        return "run"
    if kind not in KINDS:
        raise ConfigError("kind", kind, f"one of {list(KINDS)}", file=str(folder / "manifest.json"))
    return str(kind)


def make_figures(folder: str | Path, fmt: str = "png") -> list[Path]:
    """Write every figure that fits the results in `folder`; return the paths written."""
    if fmt not in FORMATS:
        raise ConfigError("--format", fmt, f"one of {list(FORMATS)}")
    folder = Path(folder)
    manifest = read_manifest(folder)
    kind = folder_kind(folder, manifest)
    figures = _BUILDERS[kind](folder, manifest)
    out = folder / "figures"
    out.mkdir(exist_ok=True)
    written = []
    for name, fig in figures:
        path = out / f"{name}.{fmt}"
        with plots.style():
            fig.savefig(path, format=fmt)
        written.append(path)
    return written


# --------------------------------------------------------------------------------------------
# Per kind


def _round_days(manifest: dict[str, Any]) -> int:
    scenario = manifest.get("scenario") or {}
    return int(manifest.get("round_days") or scenario.get("round_days") or 30)


def _horizon(manifest: dict[str, Any], folder: Path) -> int:
    horizon = manifest.get("horizon")
    if not isinstance(horizon, int) or isinstance(horizon, bool) or horizon < 1:
        raise ConfigError(
            "horizon", horizon, "a positive number of rounds", file=str(folder / "manifest.json")
        )
    return horizon


def _read(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    if not path.exists():
        raise ConfigError("", str(path), "a results file (the folder is incomplete)")
    try:
        return pd.read_parquet(path, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> ConfigError:
    """Name the damaged file: for a folder of chunks (a sweep's runs/), the first one whose
    footer does not read, which pyarrow's message names only in passing."""
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        try:
            pq.read_metadata(file)
        except (OSError, pa.ArrowException):
            again = (
                " (remove it: negsim sweep ... --resume runs its chunk again)"
                if path.name == "runs" and path.is_dir()
                else ""
            )
            return ConfigError(
                "",
                "<damaged or not Parquet>",
                f"a Parquet file as negsim writes it{again}",
                file=str(file),
            )
    reason = " ".join(str(exc).split())
    return ConfigError("", f"<unreadable: {reason}>", "a negsim results table", file=str(path))


def _time_figures(
    runs: pd.DataFrame, horizon: int, by: str | None, round_days: int
) -> list[tuple[str, Any]]:
    surv = analysis.survival_table(runs, horizon, by)
    haz = analysis.hazard_table(runs, horizon, by)
    return [
        (
            "time_to_settlement",
            plots.plot_time_to_settlement(surv, haz, by=by, round_days=round_days),
        )
    ]


def _run_figures(folder: Path, manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    runs = _read(folder / "runs.parquet", RUN_COLUMNS)
    horizon, days = _horizon(manifest, folder), _round_days(manifest)
    return [
        *_time_figures(runs, horizon, None, days),
        ("outcomes", plots.plot_outcome_shares(analysis.outcome_shares(runs))),
    ]


def _compare_figures(folder: Path, manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    runs = _read(folder / "runs.parquet", ["strategy", *RUN_COLUMNS])
    horizon, days = _horizon(manifest, folder), _round_days(manifest)
    by = "strategy"
    p = analysis.settlement_probability(runs, by)
    return [
        (
            "settlement_by_strategy",
            plots.plot_settlement_by_group(
                p, by, xlabel="Mediator strategy", horizon=horizon, round_days=days
            ),
        ),
        *_time_figures(runs, horizon, by, days),
        (
            "outcomes",
            plots.plot_outcome_shares(
                analysis.outcome_shares(runs, by), by=by, xlabel="Mediator strategy"
            ),
        ),
    ]


def _file_name(parameter: str) -> str:
    return parameter.replace(".", "_").replace("/", "_")


def sweep_runs(folder: Path, parameters: list[str]) -> pd.DataFrame:
    """The runs of a sweep with each run's parameter values (joined from points.parquet)."""
    points = _read(folder / "points.parquet")
    missing = [c for c in ["point", *parameters] if c not in points.columns]
    if missing:
        raise ConfigError(
            "",
            sorted(map(str, points.columns)),
            f"columns {missing}",
            file=str(folder / "points.parquet"),
        )
    verified_chunks(folder)  # a chunk that fails its check is named, never used
    runs = _read(folder / "runs", ["point", *RUN_COLUMNS])
    # A hive-partitioned dataset gives the partition key back as a category of strings.
    runs["point"] = pd.to_numeric(runs["point"].astype(str)).astype("int64")
    points = points[["point", *parameters]].astype({"point": "int64"})
    return runs.merge(points, on="point", how="inner", validate="many_to_one")


def _sweep_figures(folder: Path, manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    status = manifest.get("status", "complete")
    if status != "complete":
        # The points done so far would pass for the whole sweep.
        sets = "".join(f" --set {s}" for s in manifest.get("set") or [] if isinstance(s, str))
        spec = manifest.get("spec_file") or "SPEC"
        raise ConfigError(
            "status",
            status,
            f"a finished sweep (this one is unfinished: negsim sweep {spec} --out {folder}"
            f"{sets} --resume finishes it)",
            file=str(folder / "manifest.json"),
        )
    parameters = manifest.get("parameters")
    if (
        not isinstance(parameters, list)
        or not parameters
        or not all(isinstance(p, str) for p in parameters)
    ):
        raise ConfigError(
            "parameters",
            parameters,
            "a list of swept dotted paths",
            file=str(folder / "manifest.json"),
        )
    horizon, days = _horizon(manifest, folder), _round_days(manifest)
    runs = sweep_runs(folder, parameters)
    out: list[tuple[str, Any]] = []
    numeric = {p: _is_numeric(runs[p]) for p in parameters}
    for i, parameter in enumerate(parameters):
        if not numeric[parameter]:
            # Named alternatives (e.g. strategies): one point with an interval per value.
            table = analysis.settlement_probability(runs, parameter)
            fig = plots.plot_settlement_by_group(table, parameter, horizon=horizon, round_days=days)
            out.append((f"settlement_vs_{_file_name(parameter)}", fig))
            continue
        others = [p for p in parameters if p != parameter]
        hue = None
        if len(parameters) == 2 and runs[others[0]].nunique() <= MAX_HUE:
            hue = others[0]
        table = (
            analysis.settlement_grid(runs, parameter, hue)
            if hue is not None
            else analysis.settlement_vs_parameter(runs, parameter)
        )
        fig = plots.plot_settlement_vs_parameter(
            table, parameter, hue=hue, horizon=horizon, round_days=days
        )
        out.append((f"settlement_vs_{_file_name(parameter)}", fig))
        if i == 0 and runs[parameter].nunique() <= MAX_CURVES:
            out.extend(
                (f"{name}_by_{_file_name(parameter)}", fig)
                for name, fig in _time_figures(runs, horizon, parameter, days)
            )
    pair = [p for p in parameters if numeric[p]][:2]
    if len(pair) == 2:
        x, y = pair
        grid = analysis.settlement_grid(runs, x, y)
        out.append(
            (
                "settlement_heatmap",
                plots.plot_settlement_heatmap(grid, x, y, horizon=horizon, round_days=days),
            )
        )
    by = parameters[0] if len(parameters) == 1 else "point"
    out.append(("outcomes", plots.plot_outcome_shares(analysis.outcome_shares(runs, by), by=by)))
    return out


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _trace_figures(folder: Path, manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    trace = _read(folder / "trace.parquet")
    parties = manifest.get("parties")
    if not isinstance(parties, list) or len(parties) != 2:
        raise ConfigError(
            "parties", parties, "the two party names", file=str(folder / "manifest.json")
        )
    title = (
        f"{manifest.get('scenario_name', '')}: run {manifest.get('run_index')}, "
        f"seed {manifest.get('seed')}"
    )
    return [
        (
            "run",
            plots.plot_run(trace, tuple(parties), round_days=_round_days(manifest), title=title),
        )
    ]


def _sensitivity_figures(folder: Path, manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    indices = _read(folder / "indices.parquet")
    return [("sensitivity", plots.plot_sensitivity(indices))]


def _forecast_figures(folder: Path, manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    path = folder / "forecasts.csv"
    if not path.is_file():
        raise ConfigError("", str(path), "a results file (the folder is incomplete)")
    try:
        predictions = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ConfigError("", str(path), f"a forecasts table ({exc})") from None
    figures: list[tuple[str, Any]] = []
    for target in forecast_evaluation.TARGETS:
        missing = {"period", *forecast_evaluation.TARGETS[target]} - set(predictions.columns)
        if missing:
            raise ConfigError("columns", sorted(missing), "a forecasts table", file=str(path))
        bins, curves = forecast_evaluation.curve_tables(predictions, target)
        if bins.empty:
            continue
        title = target.replace("_", " ")
        figures.append((f"reliability_{target}", plots.plot_reliability(bins, title=title)))
        figures.append((f"roc_{target}", plots.plot_roc(curves, title=title)))
    return figures


_BUILDERS: dict[str, Callable[[Path, dict[str, Any]], list[tuple[str, Any]]]] = {
    "run": _run_figures,
    "compare": _compare_figures,
    "sweep": _sweep_figures,
    "trace": _trace_figures,
    "sensitivity": _sensitivity_figures,
    "forecast": _forecast_figures,
}
