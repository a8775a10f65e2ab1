"""Hypothesis strategies for negsim's inputs, well-formed and hostile.

Each strategy draws a `Case` (tests/fuzz/harness.py): the files to write and the command to
run. Five kinds: scenario files for `run`, `--set` overrides, sweep specs, sensitivity specs
and validation check files. Valid cases are kept tiny (a few runs of three rounds) so that
thousands run in minutes; hostile ones start from the shipped files and break one thing.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from sim.experiments.sensitivity import ALL_OUTPUTS
from tests.fuzz.harness import Case

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted([*ROOT.glob("configs/*.yaml"), *ROOT.glob("configs/cases/*.yaml")])
CHECKS = sorted((ROOT / "validation").glob("*.yaml"))
UKRAINE = ROOT / "configs" / "ukraine_2025.yaml"
TINY = ("--set", "horizon=3")

REGISTERED = [
    "none",
    "facilitative",
    "formulative",
    "manipulative",
    "deadline_deal",
    "ceasefire_first",
    "talking_while_fighting",
    "withdrawal",
]
STRATEGY_NAMES = [
    *REGISTERED,
    "manipulatve",
    "Facilitative",
    "facilitative ",
    "",
    ":X",
    ".x:Y",
    "x:",
    "sim.model.strategies.base:Strategy",
    "sim.model.strategies:Facilitative",
    "os:system",
    "tests.plugin_strategy:Plugin",
    "no_such_module_zz:Thing",
    "a:b:c",
]


@functools.cache
def shipped(path: Path) -> Any:
    """A shipped file as yaml.safe_load reads it (a fresh copy is the caller's to mutate)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(data: Any) -> bytes:
    """YAML text of `data` (non-ASCII kept as UTF-8)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


# ------------------------------------------------------------------------------------------
# values


def _deep(depth: int) -> Any:
    value: Any = 0.5
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


HOSTILE_SCALARS = [
    -1,
    0,
    -0.5,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    True,
    False,
    None,
    2**63,
    10**30,
    "",
    "0.5",
    "yes",
    "~",
    "2025-01",
    "x" * 10_000,
    "Україна ☃ 🕊",
    "\u202e\u200b",
    "a\nb",
    "{[",
    "&a *a",
    "!!python/object:os.system",
]

hostile_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(HOSTILE_SCALARS),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(st.one_of(st.integers(-5, 5), st.floats(-2, 2), st.text(max_size=5)), max_size=4),
    st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.floats(-2, 2)), max_size=3),
    st.sampled_from([_deep(5), _deep(63), _deep(70), _deep(200)]),
)


# ------------------------------------------------------------------------------------------
# mutating a mapping read from YAML


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside `data`: mapping keys and list indices."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(paths(value, (*prefix, i)))
    return found


def _parent(data: Any, path: tuple) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def mutated(draw: st.DrawFn, data: Any, protect: frozenset[str] = frozenset()) -> Any:
    """`data` with one to three things broken: a key deleted, an unknown key added, a value
    replaced by one of another type. Keys in `protect` (at the top) are left alone."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        candidates = [p for p in paths(data) if p[0] not in protect]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent = _parent(data, path)
        op = draw(st.sampled_from(["delete", "unknown", "replace", "replace", "replace"]))
        if op == "delete":
            del parent[path[-1]]
        elif op == "unknown" and isinstance(parent, dict):
            key = draw(st.sampled_from(["colour", "trsut", "horizon_", "", "1", "null"]))
            parent[key] = copy.deepcopy(draw(hostile_values))
        else:
            # A copy: the strategy's own values (the deep ones) must stay as they were drawn.
            parent[path[-1]] = copy.deepcopy(draw(hostile_values))
    return data


# ------------------------------------------------------------------------------------------
# raw YAML text


BILLION_LAUGHS = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n".encode()
    for i in range(8)
)


@st.composite
def raw_text(draw: st.DrawFn, text: bytes) -> bytes:
    """YAML text broken as bytes: cut, spliced with random bytes, given anchors and aliases,
    a key twice, tabs, or a value that contains itself."""
    op = draw(
        st.sampled_from(
            ["truncate", "bytes", "laughs", "duplicate", "tabs", "recursive", "bom", "empty"]
        )
    )
    if op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if op == "bytes":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.binary(min_size=1, max_size=16)) + text[at:]
    if op == "laughs":
        return text + b"\n" + BILLION_LAUGHS
    if op == "duplicate":
        lines = [line for line in text.splitlines() if line and not line.startswith(b" ")]
        return text + b"\n" + draw(st.sampled_from(lines or [b"x: 1"])) + b"\n"
    if op == "tabs":
        return text.replace(b"  ", b"\t", draw(st.integers(1, 5)))
    if op == "recursive":
        return text + b"\nloop: &loop [*loop]\n"
    if op == "bom":
        return b"\xef\xbb\xbf" + text
    return draw(st.sampled_from([b"", b"~\n", b"[]\n", b"42\n", b"- a\n- b\n", b"\x00"]))


# ------------------------------------------------------------------------------------------
# 1. scenario files for `negsim run`


@st.composite
def _scenario_edit(draw: st.DrawFn, data: dict) -> dict:
    data = copy.deepcopy(data)
    op = draw(st.sampled_from(["party", "member", "start", "horizon", "strategy", "none"]))
    if op == "member" and isinstance(data.get("parties"), dict) and data["parties"]:
        # A camp member: a copy of a party under a new name, in either camp or none, at the
        # table or not, a spoiler or not (docs/model.md §3.15).
        party = copy.deepcopy(data["parties"][draw(st.sampled_from(sorted(data["parties"])))])
        if isinstance(party, dict):
            party["role"] = draw(st.sampled_from(["A", "B", "C", None, 1]))
            party["at_table"] = draw(st.sampled_from([True, False, "no", 0, None]))
            party["spoiler_hazard_ratio"] = draw(st.sampled_from([1.0, 3.0, 0.5, 21.0, "x"]))
        data["parties"][draw(st.sampled_from(["militia", "ally", "russia", "x" * 80]))] = party
    elif op == "party" and isinstance(data.get("parties"), dict) and data["parties"]:
        old = draw(st.sampled_from(sorted(data["parties"])))
        new = draw(st.sampled_from(["rusia", "Russia", "a", "", "x" * 300, "Україна", "1"]))
        data["parties"][new] = data["parties"].pop(old)
    elif op == "start":
        data["start"] = draw(
            st.sampled_from(["2025-13", "1999-01", "0001-01", "9999-12", "2025", "", 2025, None])
        )
    elif op == "horizon":
        data["horizon"] = draw(st.sampled_from([0, 1, 5, 10**9, -1, 2000, 2001, 3.5, "60"]))
    elif op == "strategy" and isinstance(data.get("mediator"), dict):
        data["mediator"]["strategy"] = draw(st.sampled_from(STRATEGY_NAMES))
    return data


def _run_argv(draw: st.DrawFn, name: str) -> tuple[str, ...]:
    tail: tuple[str, ...] = ()
    if draw(st.integers(0, 9)) < 8:  # mostly three rounds; sometimes the file's horizon
        tail += TINY
    if draw(st.booleans()):
        tail += ("--json",)
    return ("run", name, "--runs", "3", *tail)


@st.composite
def scenario_cases(draw: st.DrawFn) -> Case:
    """A shipped scenario, mutated as data or as text, for `negsim run`."""
    source = draw(st.sampled_from(SCENARIOS))
    data = shipped(source)
    how = draw(st.sampled_from(["edit", "mutate", "mutate", "text", "valid"]))
    if how == "edit":
        body = dump(draw(_scenario_edit(data)))
    elif how == "mutate":
        body = dump(draw(mutated(data)))
    elif how == "text":
        body = draw(raw_text(source.read_bytes()))
    else:
        body = source.read_bytes()
    return Case("scenario", _run_argv(draw, "scenario.yaml"), (("scenario.yaml", body),))


# ------------------------------------------------------------------------------------------
# 2. --set overrides


def _dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


SET_VALUES = [
    "0.3",
    "-1",
    "1e308",
    ".nan",
    ".inf",
    "-.inf",
    "nan",
    "true",
    "null",
    "~",
    "",
    "[]",
    "{}",
    "[0.1, 0.2]",
    "{a: 1}",
    "{russia: 0.3, ukraine: 0.5}",
    "[",
    "{",
    "&a [*a]",
    "*a",
    "!!python/object:os.system",
    "'quoted'",
    "a: b",
    "- 1",
    "0x10",
    "5e-1",
    "2025-01",
    "facilitative",
    "sim.model.strategies.base:Strategy",
    "\t",
    "x" * 5000,
    "[" * 70 + "]" * 70,
    "Україна",
]


@st.composite
def set_cases(draw: st.DrawFn) -> Case:
    """`negsim run ukraine_2025 --set PATH=VALUE` with paths that exist and do not."""
    existing = [_dotted(p) for p in paths(shipped(UKRAINE)) if p[0] != "provenance"]
    path = draw(
        st.one_of(
            st.sampled_from(existing),
            st.tuples(st.sampled_from(existing), st.sampled_from([".x", "[0]", "[-1]", "[1]"])).map(
                "".join
            ),
            st.sampled_from(
                [
                    "",
                    ".",
                    "..",
                    "parties..trust",
                    "parties.rusia.trust",
                    "mediator.schedule[0].rounds",
                    "mediator.leverage[99]",
                    "mediator.strategy",
                    "mediator.options.deadline",
                    "provenance.horizon",
                    "[0]",
                    "a[",
                    "a]b",
                    "horizon[0]",
                    "parties.russia.ideal.territory.x",
                    "stakeholders.europe",
                    "mediator",
                    "horizon",
                    "start",
                ]
            ),
            st.text(max_size=20),
        )
    )
    value = draw(st.one_of(st.sampled_from(SET_VALUES), st.text(max_size=20)))
    sets: list[str] = []
    for _ in range(draw(st.integers(1, 2))):
        sets += ["--set", f"{path}={value}"]
    if draw(st.integers(0, 9)) == 0:
        sets += ["--set", draw(st.sampled_from(["noequals", "=1", "a==b", "horizon="]))]
    json = ("--json",) if draw(st.booleans()) else ()
    return Case("set", ("run", str(UKRAINE), "--runs", "3", *TINY, *sets, *json))


# ------------------------------------------------------------------------------------------
# 3. sweep specs

# (path, low, high, integer) on ukraine_2025, each within its documented bounds.
SWEEPABLE = [
    ("parties.russia.trust", 0.0, 0.3, False),
    ("parties.ukraine.trust", 0.0, 0.3, False),
    ("mediator.guarantee", 0.0, 1.0, False),
    ("mediator.leverage.russia", 0.1, 0.6, False),
    ("battlefield.noise_sd", 0.001, 0.01, False),
    ("parties.russia.planning_horizon", 6, 24, True),
    ("parties.ukraine.cost_per_month", 0.003, 0.02, False),
]


@st.composite
def _parameter(draw: st.DrawFn, design: str, points: int) -> tuple[str, Any]:
    path, low, high, integer = draw(st.sampled_from(SWEEPABLE))
    number = (
        st.integers(int(low), int(high))
        if integer
        else st.floats(low, high, allow_nan=False, allow_infinity=False)
    )
    if design == "grid":
        if draw(st.booleans()):
            return path, draw(st.lists(number, min_size=1, max_size=points))
        return path, {"range": [low, high], "points": points}
    kind = draw(st.sampled_from(["uniform", "loguniform", "triangular", "normal", "list"]))
    if kind == "uniform":
        return path, {"range": [low, high]}
    if kind == "loguniform":
        return path, {"distribution": "loguniform", "range": [max(low, 1e-3), high]}
    if kind == "triangular":
        return path, {"distribution": "triangular", "range": [low, high], "mode": (low + high) / 2}
    if kind == "normal":
        mean, sd = (low + high) / 2, (high - low) / 4
        return path, {"distribution": "normal", "mean": mean, "sd": sd, "range": [low, high]}
    return path, draw(st.lists(number, min_size=1, max_size=3))


@st.composite
def sweep_specs(draw: st.DrawFn) -> dict:
    """A well-formed sweep spec: at most 4 points of at most 5 runs of three rounds."""
    design = draw(st.sampled_from(["grid", "random", "latin_hypercube", "sobol"]))
    spec: dict[str, Any] = {
        "name": draw(st.sampled_from(["fuzz", "f", "Україна sweep"])),
        "base": str(UKRAINE),
        "runs_per_point": draw(st.integers(1, 5)),
        "seed": draw(st.integers(0, 2**32)),
        "design": design,
        "set": {"horizon": 3},
    }
    if design == "grid":
        count = draw(st.integers(1, 2))
        per = 2 if count == 2 else draw(st.integers(1, 4))
    else:
        count = draw(st.integers(1, 2))
        per = 0
        spec["samples"] = draw(st.sampled_from([2, 4]) if design == "sobol" else st.integers(1, 4))
    parameters = dict(draw(st.lists(_parameter(design, per), min_size=count, max_size=count)))
    spec["parameters"] = parameters
    if draw(st.booleans()):
        spec["chunk_size"] = draw(st.integers(10, 100))
    return spec


HOSTILE_SWEEP_EDITS = [
    ("runs_per_point", 10**9),
    ("runs_per_point", 0),
    ("runs_per_point", 10**8),
    ("chunk_size", 1),
    ("chunk_size", 9),
    ("samples", 10**9),
    ("samples", 3),
    ("samples", 0),
    ("design", "sobl"),
    ("design", "latin-hypercube"),
    ("base", "no_such_file.yaml"),
    ("base", ""),
    ("base", "/"),
    ("base", str(ROOT / "experiments" / "guarantee.yaml")),
    ("seed", -1),
    ("seed", 2**64),
    ("set", {"horizon": 10**9}),
    ("set", {"horizon": 0}),
    ("set", {"nonsense": 1}),
    ("parameters", {}),
    ("parameters", {"mediator.guarantee": {"range": [1.0, 0.0], "points": 3}}),
    ("parameters", {"mediator.guarantee": {"range": [0.0, 1.0], "points": 10**9}}),
    ("parameters", {"mediator.guarantee": {"range": [0.0, 1.0], "points": 0}}),
    ("parameters", {"mediator.guarantee": {"range": [0.0, 1.0], "points": -1}}),
    ("parameters", {"mediator.guarantee": {"range": [float("nan"), 1.0], "points": 2}}),
    ("parameters", {"mediator.guarantee": {"range": [0.0, float("inf")], "points": 2}}),
    ("parameters", {"mediator.guarantee": {"distribution": "cauchy", "range": [0, 1]}}),
    ("parameters", {"mediator.guarantee": {"distribution": "normal", "mean": 0.5, "sd": -1}}),
    ("parameters", {"mediator.guarantee": {"distribution": "triangular", "range": [0, 1]}}),
    ("parameters", {"mediator.guarantee": {"distribution": "loguniform", "range": [0, 1]}}),
    ("parameters", {"mediator.guarantee": [1.5, 2.0]}),
    ("parameters", {"parties.rusia.trust": [0.1]}),
    ("parameters", {"mediator.strategy": ["facilitative", "bogus", "sim.model.strategies.base:X"]}),
    ("parameters", {"horizon": [1, 10**9]}),
    ("parameters", {f"parties.russia.trust{'x' * i}": [0.1] for i in range(3)}),
    ("parameters", [1, 2]),
]


@st.composite
def sweep_cases(draw: st.DrawFn) -> Case:
    """A sweep spec, well formed or broken, for `negsim sweep`."""
    spec = draw(sweep_specs())
    how = draw(st.sampled_from(["valid", "valid", "edit", "edit", "mutate", "text"]))
    if how == "edit":
        key, value = draw(st.sampled_from(HOSTILE_SWEEP_EDITS))
        if key == "parameters" and isinstance(value, dict) and spec.get("design") != "grid":
            spec["design"] = "grid"
            spec.pop("samples", None)
        spec[key] = copy.deepcopy(value)
        body = dump(spec)
    elif how == "mutate":
        body = dump(draw(mutated(spec, protect=frozenset({"set"}))))
    elif how == "text":
        body = draw(raw_text(dump(spec)))
    else:
        body = dump(spec)
    argv = ("sweep", "spec.yaml", "--out", "{dir}/o", "--quiet")
    if draw(st.integers(0, 4)) == 0:
        argv += draw(st.sampled_from([("--runs", "2"), ("--runs", "0"), ("--set", "horizon=2")]))
    return Case("sweep", argv, (("spec.yaml", body),))


# ------------------------------------------------------------------------------------------
# 4. sensitivity specs

OUTPUTS = list(ALL_OUTPUTS)
ASSUMED = [
    "parties.russia.trust",
    "mediator.leverage.russia",
    "mediator.guarantee",
    "parties.ukraine.planning_horizon",
    "battlefield.drift_scale",
]


@st.composite
def sensitivity_specs(draw: st.DrawFn) -> dict:
    """A well-formed sensitivity spec of at most 8 points of 2 runs of three rounds."""
    method = draw(st.sampled_from(["sobol", "morris"]))
    names = draw(st.lists(st.sampled_from(ASSUMED), min_size=1, max_size=2, unique=True))
    parameters: dict[str, Any] = {}
    for name in names:
        if draw(st.booleans()):
            parameters[name] = "assumption"
        else:
            low, high = (6, 24) if "planning" in name else (0.0, 0.3)
            parameters[name] = {"range": [low, high]}
    spec: dict[str, Any] = {
        "base": str(UKRAINE),
        "method": method,
        "samples": 2 if method == "sobol" else draw(st.integers(1, 2)),
        "runs_per_point": draw(st.integers(1, 2)),
        "seed": draw(st.integers(0, 1000)),
        "set": {"horizon": 3},
        "parameters": parameters,
    }
    if draw(st.booleans()):
        spec["outputs"] = draw(
            st.lists(st.sampled_from(OUTPUTS), min_size=1, max_size=3, unique=True)
        )
    return spec


HOSTILE_SENSITIVITY_EDITS = [
    ("method", "sobl"),
    ("method", "fast"),
    ("method", None),
    ("samples", 3),
    ("samples", 0),
    ("samples", -2),
    ("samples", 2**40),
    ("samples", 1.5),
    ("runs_per_point", 0),
    ("runs_per_point", 10**9),
    ("outputs", []),
    ("outputs", ["p_settlement", "p_settlement"]),
    ("outputs", ["p_setlement"]),
    ("outputs", "p_settlement"),
    ("parameters", {}),
    ("parameters", {"parties.russia.trust": {"range": [0.3, 0.0]}}),
    ("parameters", {"parties.russia.trust": {"range": [0.1, 0.1]}}),
    ("parameters", {"parties.russia.trust": {"range": [0.0, 5.0]}}),
    ("parameters", {"parties.russia.trust": {"range": [float("nan"), 0.3]}}),
    ("parameters", {"parties.russia.name": "assumption"}),
    ("parameters", {"parties.russia.capacity": "assumption"}),
    ("parameters", {"mediator.strategy": "assumption"}),
    ("parameters", {"no.such.path": {"range": [0, 1]}}),
    ("parameters", {"parties.russia.trust": "asumption"}),
    ("parameters", {"parties.russia.trust": [0.1, 0.2]}),
    ("base", "missing.yaml"),
    ("set", {"horizon": -1}),
]


@st.composite
def sensitivity_cases(draw: st.DrawFn) -> Case:
    """A sensitivity spec, well formed or broken, for `negsim sensitivity`."""
    spec = draw(sensitivity_specs())
    how = draw(st.sampled_from(["valid", "valid", "edit", "edit", "mutate", "text"]))
    if how == "edit":
        key, value = draw(st.sampled_from(HOSTILE_SENSITIVITY_EDITS))
        spec[key] = copy.deepcopy(value)
        body = dump(spec)
    elif how == "mutate":
        body = dump(draw(mutated(spec, protect=frozenset({"set"}))))
    elif how == "text":
        body = draw(raw_text(dump(spec)))
    else:
        body = dump(spec)
    argv = ("sensitivity", "spec.yaml", "--out", "{dir}/s", "--quiet")
    extra = draw(
        st.sampled_from(
            [
                (),
                (),
                (),
                ("--samples", "2", "--runs", "2"),
                ("--method", "morris"),
                ("--samples", "3"),
            ]
        )
    )
    if extra == ("--method", "morris"):
        spec_samples = spec.get("samples")
        if not isinstance(spec_samples, int) or spec_samples > 4:
            extra += ("--samples", "2")
    return Case("sensitivity", argv + extra, (("spec.yaml", body),))


# ------------------------------------------------------------------------------------------
# 5. validation check files


def _absolute(check: dict, source: Path) -> dict:
    # The check is written elsewhere: its scenario and ensemble are named by absolute paths.
    check = copy.deepcopy(check)
    for key in ("scenario", "ensemble"):
        if isinstance(check.get(key), str):
            check[key] = str((source.parent / check[key]).resolve())
    return check


@st.composite
def check_cases(draw: st.DrawFn) -> Case:
    """A shipped validation check, mutated, for `negsim validate --runs 20`."""
    source = draw(st.sampled_from(CHECKS))
    check = _absolute(shipped(source), source)
    how = draw(st.sampled_from(["valid", "mutate", "mutate", "mutate", "text"]))
    if how == "mutate":
        body = dump(draw(mutated(check, protect=frozenset({"runs"}))))
    elif how == "text":
        body = draw(raw_text(dump(check)))
    else:
        body = dump(check)
    name = draw(st.sampled_from(["check.yaml", source.name]))
    argv = ("validate", name, "--runs", "20", "--workers", "1", "--quiet")
    if draw(st.integers(0, 3)) == 0:
        argv += ("--json",)
    return Case("validate", argv, ((name, body),))


KINDS = {
    "scenario": scenario_cases,
    "set": set_cases,
    "sweep": sweep_cases,
    "sensitivity": sensitivity_cases,
    "validate": check_cases,
}
