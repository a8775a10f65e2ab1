"""Analytic benchmarks for `negsim validate`: exact quantities, no sampling error.

fearon      complete information, no commitment problem, no noise: every run settles in
            round 1 on terms inside Fearon's (1995) range [p - C_A, p + C_B] (docs/model.md §5.1)
nash        a text-drafting mediator with perfect information proposes the generalised Nash
            point, x* = V_A + (1 - eta)(1 - V_A - V_B) with eta = (1 + bias) / 2
rubinstein  alternating offers on a grid converge to (1 - d_B) / (1 - d_A d_B) (§5.2)

Everything is recomputed by hand from the traced round-1 state (front line and beliefs) and
the scenario's parameters, not read back from the engine's own reservation values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import schema
from sim.errors import ConfigError
from sim.experiments.simulate import simulate
from sim.model import bargaining
from sim.model.config import apply_overrides, read_scenario, read_yaml, scenario_from_dict
from sim.model.params import compile_params
from sim.model.shell import NegotiationModel
from sim.schema import param

_GRIDS = [11, 101, 1001]


# The options each kind reads from a check's `parameters`, declared as a scenario's are.
@dataclass(frozen=True)
class FearonParameters:
    """A fearon check reads no option."""


@dataclass(frozen=True)
class NashParameters:
    biases: tuple[float, ...] = param(
        (0.0,), bounds=(-1.0, 1.0), doc="mediator biases, each checked against its Nash point"
    )


@dataclass(frozen=True)
class RubinsteinParameters:
    delta_a: float = param(0.9, doc="A's discount factor per period, in (0, 1)")
    delta_b: float = param(0.9, doc="B's discount factor per period, in (0, 1)")
    grids: tuple[int, ...] = param(
        tuple(_GRIDS), bounds=(2, None), doc="grid sizes, at least two, coarsest first"
    )


PARAMETERS: dict[str, type] = {
    "fearon": FearonParameters,
    "nash": NashParameters,
    "rubinstein": RubinsteinParameters,
}
# The statistics each kind returns.
_STATS = {
    "fearon": (
        "round_one_share",
        "max_outside_range",
        "belief_gap",
        "reservation_error",
        "range_width",
    ),
    "nash": ("max_error", "deal_share"),
    "rubinstein": ("excess_over_bound", "finest_error", "finest_vs_coarsest", "agreement_period"),
}


def check_parameters(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The options of an analytic check, every one given (its default if not written), as
    plain data; an option the kind does not read, or a value it cannot use, is refused
    (paths are the check file's, `parameters.<name>`)."""
    shape = PARAMETERS[kind]
    if not dataclasses.fields(shape) and params:
        key = next(iter(params))
        raise ConfigError(f"parameters.{key}", params[key], f"no parameters in a {kind} check")
    options: Any = schema.build(shape, params, "parameters")
    if isinstance(options, NashParameters) and not options.biases:
        raise ConfigError("parameters.biases", [], "a list of mediator biases")
    if isinstance(options, RubinsteinParameters):
        if len(options.grids) < 2:
            grids = list(options.grids)
            raise ConfigError("parameters.grids", grids, "a list of at least two grid sizes")
        for key in ("delta_a", "delta_b"):
            value = getattr(options, key)
            if not 0.0 < value < 1.0:
                raise ConfigError(f"parameters.{key}", value, "a discount factor in (0, 1)")
    plain: dict[str, Any] = schema.to_plain(options)
    return plain


def stat_names(kind: str, params: Any) -> list[str]:
    """The statistics a check of this kind (with these parameters) returns."""
    names = list(_STATS[kind])
    if kind == "rubinstein":
        names = [f"abs_error:{g}" for g in params.get("grids", _GRIDS)] + names
    return names


def dry_build(check: Any) -> None:
    """Build the scenarios the check will run, so that an override the scenario refuses is
    reported, in the check file, before anything runs."""
    if check.kind == "rubinstein":
        return
    read_scenario(check.scenario)  # a fault in the scenario's own file is the scenario's
    biases = check.parameters.get("biases", [0.0]) if check.kind == "nash" else [None]
    for i, bias in enumerate(biases):
        extra = {"mediator.bias": bias} if bias is not None else {}
        try:
            _one_issue_scenario(check, extra)
        except ConfigError as err:
            path, value = err.path, err.value
            if bias is not None and path == "mediator.bias":
                path, value = f"parameters.biases[{i}]", bias
            else:
                for key, written in check.base_overrides.items():
                    if schema.related(key, path) is not None:
                        path, value = f"set.{key}", written
                        break
            raise ConfigError(
                path,
                value,
                f"{err.expected} [scenario {check.scenario}]",
                file=check.file,
                hint=err.hint,
            ) from None


def _one_issue_scenario(check: Any, overrides: dict[str, Any] | None = None) -> Any:
    data = apply_overrides(read_yaml(check.scenario), check.base_overrides, overrides or {})
    sc = scenario_from_dict(data, file=check.scenario)
    p = compile_params(sc)
    ideal = np.asarray(p.ideal)
    if p.n_issues != 1 or not (ideal[0, 0] == 1.0 and ideal[1, 0] == 0.0):
        raise ConfigError(
            "issues",
            list(p.issue_names),
            "one issue with A's ideal 1 and B's ideal 0",
            file=check.scenario,
        )
    return sc, p


def _round_one(sc: Any, runs: int, seed: int) -> tuple[Any, dict[str, np.ndarray]]:
    model = NegotiationModel(sc, runs=runs, seed=seed, trace=True)
    model.step()
    return model, model.engine.records[0].values


def _hand_values(
    p: Any, rec: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    delta = np.asarray(p.discount_factor, dtype=float)
    h = np.asarray(p.planning_horizon, dtype=float)
    annuity = np.where(delta < 1.0, (1.0 - delta**h) / np.where(delta < 1.0, 1.0 - delta, 1.0), h)
    cost = (
        np.asarray(p.cost_per_round)
        + np.asarray(p.mediator_sanctions)
        + np.asarray(p.stakeholder_sanctions)
    ) * annuity
    cb, ca = p.control_at_b_victory, p.control_at_a_victory
    projected = rec["control"][:, None] + h[None, :] * rec["belief"]
    share = np.clip((projected - cb) / (ca - cb), 0.0, 1.0)
    pa = share[:, 0]
    v_a = pa - cost[0] + np.asarray(p.payoff_of_fighting)[0]
    v_b = 1.0 - share[:, 1] - cost[1] + np.asarray(p.payoff_of_fighting)[1]
    return pa, share[:, 1], v_a, v_b, cost


def fearon(check: Any, runs: int) -> dict[str, float]:
    sc, p = _one_issue_scenario(check)
    table = simulate(sc, runs=runs, seed=check.seed).table
    rounds = table["settlement_round"]
    _, rec = _round_one(sc, runs, check.seed)
    pa, pb, v_a, v_b, cost = _hand_values(p, rec)
    x = rec["text"][:, 0]
    outside = np.maximum(np.maximum((pa - cost[0]) - x, x - (pa + cost[1])), 0.0)
    return {
        "round_one_share": float((rounds == 1).sum() / len(rounds)),
        "max_outside_range": float(np.nanmax(np.where(rec["deal"], outside, np.inf))),
        "belief_gap": float(np.max(np.abs(pa - pb))),  # complete information: one shared p
        "reservation_error": float(
            np.max(np.abs(rec["reservation"] - np.stack([v_a, v_b], axis=1)))
        ),
        "range_width": float(cost.sum()),
    }


def nash(check: Any, runs: int) -> dict[str, float]:
    biases = check.parameters.get("biases", [0.0])
    worst = 0.0
    deals = 1.0
    for bias in biases:
        sc, p = _one_issue_scenario(check, {"mediator.bias": bias})
        _, rec = _round_one(sc, runs, check.seed)
        if not (rec["proposer"] == 2).all():
            raise ConfigError(
                "scenario", check.scenario, "a mediator that drafts in round 1", file=check.file
            )
        v_a, v_b = rec["reservation"][:, 0], rec["reservation"][:, 1]
        eta = (1.0 + bias) / 2.0
        expected = v_a + (1.0 - eta) * (1.0 - v_a - v_b)
        worst = max(worst, float(np.max(np.abs(rec["text"][:, 0] - expected))))
        deals = min(deals, float(rec["deal"].mean()))
    return {"max_error": worst, "deal_share": deals}


def rubinstein(check: Any, runs: int | None = None) -> dict[str, float]:
    par = check.parameters
    delta_a, delta_b = float(par.get("delta_a", 0.9)), float(par.get("delta_b", 0.9))
    grids = par.get("grids", _GRIDS)
    rows = bargaining.rubinstein_benchmark(delta_a, delta_b, grids=tuple(grids))
    out = {f"abs_error:{r['grid_points']}": float(r["abs_error"]) for r in rows}
    # The grid bound |x - x*| < h / (1 - dA dB) + truncation (docs/model.md §5.2): the error
    # must be inside it on every grid, and the finest grid must be close to the closed form.
    out["excess_over_bound"] = max(float(r["abs_error"] - r["bound"]) for r in rows)
    out["finest_error"] = float(rows[-1]["abs_error"])
    out["finest_vs_coarsest"] = float(rows[-1]["abs_error"]) / max(
        float(rows[0]["abs_error"]), 1e-300
    )
    out["agreement_period"] = float(max(int(np.max(r["period"])) for r in rows))
    return out


def run(check: Any, runs: int | None = None) -> dict[str, float]:
    """A loaded check's values (its parameters were checked when it was read)."""
    n = runs if runs is not None else check.runs
    if check.kind == "fearon":
        return fearon(check, n)
    if check.kind == "nash":
        return nash(check, n)
    return rubinstein(check, n)
