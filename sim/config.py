"""Scenario configuration: YAML in, typed and frozen inside, validated at the door.

Every numeric field states its meaning and admissible range; the defaults here are the model's
one set of defaults (docs/model.md explains each). Scenario files override only what the record
says about their case, and say where each number comes from in their `provenance` section.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from sim import schema, shipped
from sim.errors import ConfigError
from sim.schema import param

ROLES = ("A", "B")
# Each indivisible issue doubles the concession paths every text search walks
# (sim.bargaining.whole_starts).
MAX_INDIVISIBLE = 4


@dataclass(frozen=True)
class Issue:
    description: str = param("", doc="What the issue is about and what its scale means.")
    deferrable: bool = param(
        False, doc="May be left open by a framework agreement (settled later or never)."
    )
    open_position: float | None = param(
        None,
        bounds=(0.0, 1.0),
        doc="Position that holds on this issue while it is left open by a framework deal.",
    )
    indivisible: bool = param(
        False,
        doc="Cannot be split: a text places it at one party's ideal or the other's "
        "(an issue of principle; Fearon 1995). Other issues can still compensate.",
    )
    assures: Mapping[str, float] = param(
        {},
        bounds=(0.0, 1.0),
        doc="Enforcement this issue gives a party against reneging, when the text places "
        "the issue at that party's ideal (e.g. security guarantees protect B).",
    )


@dataclass(frozen=True)
class Domestic:
    audience_cost: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Cost to the leader of accepting terms below the victory "
        "threshold (stakes units; Fearon 1994).",
    )
    victory_threshold: float = param(
        0.0, bounds=(0.0, 1.0), doc="Utility a deal must give for the leader to claim victory."
    )
    hardliner_cost: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Surplus hardliners demand before any deal passes (veto players; Tsebelis 2002).",
    )
    payoff_of_fighting: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Private domestic benefit to the leader of fighting on "
        "(gambling for resurrection; Goemans 2000).",
    )


@dataclass(frozen=True)
class Party:
    role: Literal["A", "B"]
    ideal: Mapping[str, float] = param(bounds=(0.0, 1.0), doc="Ideal position on each issue.")
    salience: Mapping[str, float] = param(
        bounds=(0.0, 1.0), doc="Weight of each issue in the party's utility; sums to 1."
    )
    capacity: float = param(
        1.0, bounds=(0.0, None), open_low=True, doc="Own fighting capacity (relative units)."
    )
    cost_per_round: float = param(
        0.005, bounds=(0.0, 1.0), doc="Cost of one round of war, in stakes units."
    )
    breaking_point: float = param(
        1.0,
        bounds=(0.0, None),
        open_low=True,
        doc="Cumulative cost at which the party capitulates.",
    )
    optimism: float = param(
        0.0,
        bounds=(-0.05, 0.05),
        doc="Initial bias of the believed trend toward own side "
        "(control share per round; Blainey 1973, Fearon 1995).",
    )
    belief_sd: float = param(
        0.002,
        bounds=(0.0, 1.0),
        doc="Initial uncertainty (sd) of the believed trend; 0 means the party knows the "
        "trend exactly (complete information) and its belief never moves.",
    )
    trust: float = param(
        0.5,
        bounds=(0.0, 1.0),
        doc="Belief that the other side will comply with a deal (Kydd 2005).",
    )
    exploitation_loss: float = param(
        0.1,
        bounds=(0.0, 1.0),
        doc="Loss if it complies and the other side reneges (commitment problem; Powell 2006).",
    )
    planning_horizon: int = param(
        12, bounds=(1, 600), doc="Rounds over which it projects the war when valuing it."
    )
    regroup: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Capacity, as a share of its own, that a ceasefire lets it add and that it cannot "
        "bring to bear while fighting: reserves, rearmament, reinforcement across a border it "
        "controls (Luttwak 1999; Fortna 2004).",
    )
    discount_factor: float = param(
        0.99, bounds=(0.0, 1.0), open_low=True, doc="Per-round discount of future costs."
    )
    concession_exponent: float = param(
        1.0,
        bounds=(0.0, 20.0),
        open_low=True,
        doc="Shape of the concession path: <1 Boulware (late), >1 Conceder (early); "
        "Faratin, Sierra & Jennings 1998.",
    )
    patience_rounds: float = param(
        24.0,
        bounds=(0.0, None),
        open_low=True,
        doc="Rounds after which the concession path is exhausted.",
    )
    screening_z: float = param(
        1.0,
        bounds=(0.0, 5.0),
        doc="How far (in sd of its uncertainty) the first offer "
        "undercuts the opponent's estimated reservation value.",
    )
    decision_noise: float = param(
        0.02,
        bounds=(0.0, 1.0),
        doc="Scale of logistic noise in accepting (bounded rationality; McKelvey & Palfrey 1995).",
    )
    domestic: Domestic = dataclasses.field(default_factory=Domestic)


@dataclass(frozen=True)
class Battlefield:
    initial_control: float = param(
        0.0, bounds=(0.0, 1.0), doc="Share of B's territory held by A at the start."
    )
    control_at_a_victory: float = param(
        1.0, bounds=(0.0, 1.0), doc="Control at which A could impose all its terms."
    )
    control_at_b_victory: float = param(
        0.0, bounds=(0.0, 1.0), doc="Control at which B could impose all its terms."
    )
    drift_scale: float = param(
        0.03, bounds=(0.0, 1.0), doc="Trend per round (control share) at total dominance."
    )
    noise_sd: float = param(
        0.003,
        # At least 1e-6, not only positive: the parties' learning divides by its square, which
        # underflows to zero for a noise near 1e-160.
        bounds=(1e-6, 1.0),
        doc="Sd of the monthly change of control around the trend (at least 1e-6: it is also "
        "the noise of every observation the parties learn from).",
    )
    breakthrough_probability: float = param(
        0.005, bounds=(0.0, 1.0), doc="Chance per round of a breakthrough by either side."
    )
    breakthrough_size: float = param(
        0.03, bounds=(0.0, 1.0), doc="Control shift of a breakthrough."
    )
    exhaustion_drag: float = param(
        0.5, bounds=(0.0, 1.0), doc="Share of capacity lost at the breaking point."
    )
    ceasefire_cost_share: float = param(
        0.1, bounds=(0.0, 1.0), doc="Share of the cost of war still paid under a ceasefire."
    )
    regroup_rounds: float = param(
        3.0,
        bounds=(0.0, 60.0),
        open_low=True,
        doc="Rounds of an unhindered ceasefire a side needs to bring its whole regroup "
        "reserve to the front.",
    )


@dataclass(frozen=True)
class Phase:
    """One phase of a mediator's schedule."""

    strategy: str = param(doc="Registered strategy name or 'module:Class'.")
    options: Mapping[str, Any] = param({}, doc="Settings passed to the strategy.")
    rounds: int | None = param(
        None, bounds=(1, 100000), doc="Most rounds the phase lasts (none: no limit)."
    )
    until: Literal["ripe", "ceasefire", "agreement", "deadlock"] | None = param(
        None, doc="Condition that ends the phase early, run by run."
    )
    deadlock_after: int = param(
        3, bounds=(1, 1000), doc="Refused texts in a row that count as a deadlock."
    )


@dataclass(frozen=True)
class Mediator:
    name: str = param("mediator", doc="Who mediates.")
    strategy: str = param("none", doc="Registered strategy name or 'module:Class'.")
    options: Mapping[str, Any] = param({}, doc="Settings passed to the strategy.")
    schedule: tuple[Phase, ...] = param(
        (),
        doc="Strategies in phases, in order (replaces `strategy`); the last phase lasts "
        "to the end.",
    )
    bias: float = param(
        0.0,
        bounds=(-1.0, 1.0),
        doc="Perceived bias toward B (+) or A (-); lowers the "
        "trust the disfavoured side puts in its texts and promises.",
    )
    leverage: Mapping[str, float] = param(
        {}, bounds=(0.0, 1.0), doc="Carrots and sticks it can bring to bear on each party."
    )
    credibility: float = param(
        0.5, bounds=(0.0, 1.0), doc="Initial belief that its threats will be carried out."
    )
    follow_through: float = param(
        0.5, bounds=(0.0, 1.0), doc="Chance it carries out a threat after a refusal."
    )
    information_noise: float = param(
        0.05, bounds=(0.0, 1.0), doc="Sd of its estimates of the parties' reservation values."
    )
    aid: Mapping[str, float] = param(
        {}, bounds=(0.0, None), doc="Capacity it supplies to a party (military aid)."
    )
    sanctions: Mapping[str, float] = param(
        {}, bounds=(0.0, 1.0), doc="Cost per round its sanctions impose on a party."
    )
    guarantee: float = param(
        0.0, bounds=(0.0, 1.0), doc="Strength of the third-party guarantee it can attach."
    )
    sanctions_step: float = param(
        0.003,
        bounds=(0.0, 1.0),
        doc="Cost per round a carried-out sanctions stick adds at full leverage.",
    )
    credibility_update: float = param(
        0.5,
        bounds=(0.0, 1.0),
        doc="How far credibility moves after a threat is carried out "
        "(toward 1) or a bluff is called (toward 0).",
    )


@dataclass(frozen=True)
class Stakeholder:
    supports: str = param(doc="The party it backs.")
    aid: float = param(0.0, bounds=(0.0, None), doc="Capacity it supplies to that party.")
    sanctions: float = param(
        0.0, bounds=(0.0, 1.0), doc="Cost per round it imposes on the other party."
    )
    cover: float = param(
        0.0, bounds=(0.0, 1.0), doc="Share of sanctions costs on its party it offsets."
    )
    compensates_aid_cut: float = param(
        0.0, bounds=(0.0, 1.0), doc="Share of a mediator's aid cut to its party it replaces."
    )
    veto_utility_floor: float | None = param(
        None, bounds=(0.0, 1.0), doc="Blocks texts giving its party less utility than this."
    )


@dataclass(frozen=True)
class Agreement:
    base_hazard: float = param(
        0.02, bounds=(0.0, 1.0), doc="Per-round collapse chance of a bare agreement."
    )
    guarantee_effect: float = param(
        1.5, bounds=(0.0, 10.0), doc="Log-hazard reduction at full enforcement (Fortna 2003)."
    )
    trust_effect: float = param(
        1.0, bounds=(0.0, 10.0), doc="Log-hazard reduction at full mutual trust."
    )
    imposed_hazard_ratio: float = param(
        2.0,
        bounds=(1.0, 20.0),
        doc="Hazard ratio of a deal accepted only under pressure (Beardsley 2011).",
    )
    framework_hazard_ratio: float = param(
        1.5, bounds=(1.0, 20.0), doc="Hazard ratio of a framework deal with open issues."
    )
    trust_loss_on_collapse: float = param(
        0.5, bounds=(0.0, 1.0), doc="Share of trust lost when an agreement collapses."
    )
    ripe_rounds_to_freeze: int = param(
        12, bounds=(1, 1000), doc="Rounds of ripeness without a deal before the front freezes."
    )
    ceasefire_hazard_ratio: float = param(
        2.0,
        bounds=(1.0, 20.0),
        doc="Hazard ratio of a bare ceasefire (no agreement) against a comprehensive deal.",
    )
    hazard_shape: float = param(
        1.0,
        bounds=(0.1, 3.0),
        doc="Weibull shape of the collapse hazard in the age of the peace (rounds since the "
        "fighting stopped): 1 keeps it constant; below 1 it falls as the peace lasts.",
    )
    ceasefire_exploitation: float = param(
        0.5,
        bounds=(0.0, 1.0),
        doc="Share of the exploitation loss a side fears from a ceasefire the other side "
        "could use to regroup (weighted by its distrust).",
    )


@dataclass(frozen=True)
class Source:
    facts: tuple[str, ...] = param((), doc="Fact ids in seeds/ that justify the value.")
    assumption: tuple[float, ...] | None = param(
        None, doc="Plausible [low, high] range of a value that is an assumption."
    )
    note: str = param("", doc="How the facts turn into the number.")


@dataclass(frozen=True)
class Scenario:
    name: str
    issues: Mapping[str, Issue]
    parties: Mapping[str, Party]
    description: str = ""
    start: str = param("2025-01", doc="Calendar month of round 1 (YYYY-MM).")
    round_days: int = param(30, bounds=(1, 366), doc="Length of a round in days.")
    horizon: int = param(60, bounds=(1, 2000), doc="Rounds simulated (right-censoring).")
    battlefield: Battlefield = dataclasses.field(default_factory=Battlefield)
    mediator: Mediator | None = None
    stakeholders: Mapping[str, Stakeholder] = param({})
    agreement: Agreement = dataclasses.field(default_factory=Agreement)
    provenance: Mapping[str, Source] = param({})
    source_file: str | None = None

    # -- convenient views -------------------------------------------------------------------
    @property
    def issue_names(self) -> tuple[str, ...]:
        return tuple(self.issues)

    def party_of_role(self, role: str) -> str:
        return next(name for name, p in self.parties.items() if p.role == role)

    @property
    def a(self) -> str:
        return self.party_of_role("A")

    @property
    def b(self) -> str:
        return self.party_of_role("B")

    def to_dict(self) -> dict[str, Any]:
        data = schema.to_plain(self)
        data.pop("source_file", None)
        return data


# --------------------------------------------------------------------------------------------
# Loading


def _check_recess(options: Mapping[str, Any], path: str) -> None:
    """Each recess round listed once: a round given twice is a slip (a typo for another
    round) that the run would otherwise hide. Rounds past the horizon are accepted, so that a
    case can be run over a shorter horizon as it stands."""
    seen: set[int] = set()
    for i, r in enumerate(options.get("recess_rounds") or ()):
        if r in seen:
            raise ConfigError(f"{path}.recess_rounds[{i}]", r, "each round listed once")
        seen.add(r)


def _cross_check(sc: Scenario) -> None:
    """Checks that span sections: names must agree across the file."""
    names = list(sc.parties)
    roles = sorted(p.role for p in sc.parties.values())
    if len(names) != 2 or roles != ["A", "B"]:
        raise ConfigError(
            "parties", names, "exactly two parties, one with role A and one with role B"
        )
    issues = list(sc.issues)
    if not issues:
        raise ConfigError("issues", {}, "at least one issue")
    for pname, party in sc.parties.items():
        for section in ("ideal", "salience"):
            given = getattr(party, section)
            for key in given:
                if key not in sc.issues:
                    raise ConfigError(
                        f"parties.{pname}.{section}.{key}",
                        given[key],
                        f"an issue name, one of {issues}",
                        hint=schema.suggest(key, issues),
                    )
            missing = [i for i in issues if i not in given]
            if missing:
                raise ConfigError(
                    f"parties.{pname}.{section}", dict(given), f"a value for every issue {missing}"
                )
        total = sum(party.salience.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ConfigError(
                f"parties.{pname}.salience",
                dict(party.salience),
                f"weights that sum to 1 (they sum to {total:.6g})",
            )
    for iname, issue in sc.issues.items():
        _check_party_keys(issue.assures, f"issues.{iname}.assures", names)
        if issue.deferrable and issue.open_position is None:
            raise ConfigError(
                f"issues.{iname}.open_position", None, "a position in [0, 1] for a deferrable issue"
            )
    whole = [iname for iname, issue in sc.issues.items() if issue.indivisible]
    if len(whole) > MAX_INDIVISIBLE:
        raise ConfigError(
            f"issues.{whole[MAX_INDIVISIBLE]}.indivisible",
            True,
            f"at most {MAX_INDIVISIBLE} indivisible issues (here {len(whole)}: {', '.join(whole)})",
        )
    if not _is_month(sc.start):
        raise ConfigError("start", sc.start, "a month as YYYY-MM")
    bf = sc.battlefield
    if not bf.control_at_a_victory > bf.control_at_b_victory:
        raise ConfigError(
            "battlefield.control_at_a_victory",
            bf.control_at_a_victory,
            f"a value above battlefield.control_at_b_victory ({bf.control_at_b_victory})",
        )
    if sc.mediator is not None:
        med = sc.mediator
        for section in ("leverage", "aid", "sanctions"):
            _check_party_keys(getattr(med, section), f"mediator.{section}", names)
        # Imported here: the strategy registry imports the engine, which imports this module.
        from sim.strategies import registry

        registry.make(med.strategy, med.options, "mediator")  # validates name and options
        _check_recess(med.options, "mediator.options")
        # A strategy written next to a schedule is refused on the data (scenario_from_dict):
        # "none" is also the default, so the built scenario cannot tell it from one left out.
        if med.schedule and med.options:
            raise ConfigError(
                "mediator.strategy",
                med.strategy,
                "to be left out when mediator.schedule is given (each phase names its strategy)",
            )
        for i, phase in enumerate(med.schedule):
            path = f"mediator.schedule[{i}]"
            registry.make(phase.strategy, phase.options, path)
            _check_recess(phase.options, f"{path}.options")
            last = i == len(med.schedule) - 1
            if not last and phase.rounds is None and phase.until is None:
                raise ConfigError(
                    f"{path}.rounds", None, "rounds or until, so that the next phase can start"
                )
    for sname, st in sc.stakeholders.items():
        if st.supports not in names:
            raise ConfigError(
                f"stakeholders.{sname}.supports",
                st.supports,
                f"a party name, one of {names}",
                hint=schema.suggest(st.supports, names),
            )
    for key, src in sc.provenance.items():
        if src.assumption is None:
            continue
        where = f"provenance.{key}.assumption"
        bounds = list(src.assumption)
        if len(bounds) != 2:
            raise ConfigError(where, bounds, "[low, high]")
        if bounds[0] > bounds[1]:
            # A sensitivity analysis sweeps this range: reversed, it would be refused
            # there, far from the file that is wrong.
            raise ConfigError(where, bounds, "[low, high] with low <= high")


def flat_paths(data: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every node of plain data by its dotted path (`a.b`, `a.list[0].c`), sections too."""
    out = {} if out is None else out
    if prefix:
        out[prefix] = data
    if isinstance(data, Mapping):
        for key, value in data.items():
            if not prefix and key in ("provenance", "source_file"):
                continue
            flat_paths(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            flat_paths(value, f"{prefix}[{i}]", out)
    return out


def check_provenance(sc: Scenario, written: Any) -> None:
    """Each `provenance:` entry names a value of the scenario, and a range only a number.

    A path is one the scenario file writes (`written`: the file's data, before any
    override) or one the built scenario has (model defaults included), spelt as the
    scenario spells it. A misspelt path is refused instead of documenting nothing, leaving
    its value without a source and a sensitivity analysis without the range the author
    meant. Whether a range fits is judged on the value as the file writes it, so an
    override (`--set x=null`) never puts the file's own provenance in the wrong.
    """
    file_paths = flat_paths(written)
    built_paths = flat_paths(sc.to_dict())
    for key, src in sc.provenance.items():
        where = f"provenance.{key}"
        if key in file_paths:
            value = file_paths[key]
        elif key in built_paths:
            value = built_paths[key]
            if value is None:  # a default left unset, or an override's null
                continue
        else:
            parent = key.rpartition(".")[0]
            paths = {*file_paths, *built_paths}
            in_section = isinstance(built_paths.get(parent), Mapping)
            if in_section:
                # The section is there and the name in it is not: a sibling, or a default.
                paths = {p for p in paths if p.rpartition(".")[0] == parent}
            hint = schema.suggest(key, paths)
            if hint is None and in_section:
                hint = "a value left to its default here is written in the file to get a source"
            raise ConfigError(
                where,
                _written_entry(written, key, src),
                f"the dotted path of a value in this scenario (it has nothing at '{key}')",
                hint=hint,
            )
        if src.assumption is not None and not _numeric(value):
            what = (
                "a section that holds more than numbers"
                if isinstance(value, Mapping | list)
                else repr(value)
            )
            raise ConfigError(
                f"{where}.assumption",
                _written_entry(written, key, src).get("assumption", list(src.assumption)),
                f"a range only for a number or a mapping of numbers ('{key}' is {what})",
            )


def _written_entry(written: Any, key: str, src: Source) -> Any:
    """The entry as the file wrote it (the built one has every default filled in)."""
    prov = written.get("provenance") if isinstance(written, Mapping) else None
    entry = prov.get(key) if isinstance(prov, Mapping) else None
    return entry if isinstance(entry, Mapping) else schema.to_plain(src)


def _numeric(value: Any) -> bool:
    if isinstance(value, Mapping):
        return bool(value) and all(_numeric(v) for v in value.values())
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_month(text: str) -> bool:
    # The single-run story dates every round from it (and there is no year 0).
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    return match is not None and int(match[1]) >= 1 and 1 <= int(match[2]) <= 12


def _check_party_keys(mapping: Mapping[str, Any], path: str, names: list[str]) -> None:
    for key, value in mapping.items():
        if key not in names:
            raise ConfigError(
                f"{path}.{key}",
                value,
                f"a party name, one of {names}",
                hint=schema.suggest(key, names),
            )


def _check_duplicate_keys(
    loader: yaml.SafeLoader, node: yaml.Node, path: str, seen_nodes: set[int] | None = None
) -> None:
    """Refuse a key given twice in one mapping: YAML keeps the last silently, so a value
    the author thinks is set (the first, read up the page) would not be the one used."""
    # An alias brings a node back (even into itself): each is checked once.
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(loader, item, f"{path}[{i}]", seen_nodes)
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[str, int] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        where = f"{path}.{key.value}" if path else str(key.value)
        if key.value in seen:
            shown = loader.construct_object(value) if isinstance(value, yaml.ScalarNode) else None
            raise ConfigError(
                where,
                shown if shown is not None else f"<given again at line {key.start_mark.line + 1}>",
                f"each key once in a mapping (duplicate key: it is also at line "
                f"{seen[key.value]}, and only the last would count)",
            )
        seen[key.value] = key.start_mark.line + 1
        _check_duplicate_keys(loader, value, where, seen_nodes)


# What a YAML file or a --set value may hold (docs/cli.md, "Limits"). The shipped files nest
# at most 7 levels and hold a few thousand values; a file far past these is refused as it is
# read, before anything is built from it, so that neither deep nesting (the stack) nor aliases
# that expand exponentially ("billion laughs": memory, time) can stop a command.
MAX_DEPTH = 64
MAX_VALUES = 100_000

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python objects), with three departures:

    - composing stops at MAX_DEPTH levels of nesting, before Python's own stack would;
    - a date stays text: no value of a scenario or a spec is a date object, and one would
      reach the tables, the manifest and JSON, which have no place for it;
    - `5e-1` is a number, as a user who types it means (YAML 1.1 wants a dot: `5.0e-1`).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise ConfigError(
                    "",
                    f"<nesting deeper than {MAX_DEPTH} levels at line {line}>",
                    f"at most {MAX_DEPTH} levels of mappings and lists inside each other",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _check_size(node: yaml.Node) -> None:
    """Refuse a document whose aliases expand past MAX_VALUES values or MAX_DEPTH levels, or
    an alias inside its own anchor (a value that contains itself). Each node is measured once,
    so the check costs what the document holds, not what it would expand to."""
    measured: dict[int, tuple[int, int]] = {}  # id -> (values once expanded, levels)
    open_nodes: set[int] = set()

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in open_nodes:
            line = node.start_mark.line + 1
            raise ConfigError(
                "", f"<an alias inside its own anchor at line {line}>", "a value that ends"
            )
        if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
            line = node.start_mark.line + 1
            raise ConfigError(
                "",
                f"<a lone surrogate escape (such as \\ud800) at line {line}>",
                "text that is valid Unicode (a lone surrogate cannot be written as UTF-8)",
            )
        if key not in measured:
            open_nodes.add(key)
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            size, height = 1, 0
            for child in children:
                child_size, child_height = measure(child, depth + 1)
                size, height = size + child_size, max(height, child_height + 1)
                if size > MAX_VALUES:
                    break
            open_nodes.discard(key)
            measured[key] = (size, height)
        size, height = measured[key]
        if depth + height > MAX_DEPTH:
            line = node.start_mark.line + 1
            raise ConfigError(
                "",
                f"<aliases nesting deeper than {MAX_DEPTH} levels at line {line}>",
                f"at most {MAX_DEPTH} levels of mappings and lists inside each other",
            )
        if size > MAX_VALUES:
            raise ConfigError(
                "",
                f"<more than {MAX_VALUES:,} values once its aliases are expanded>",
                f"at most {MAX_VALUES:,} values in one file or value",
            )
        return size, height

    measure(node, 0)


def _safe_load(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        _check_duplicate_keys(loader, node, "")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return _safe_load(text)
    except ConfigError as err:
        raise err.in_file(file) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise ConfigError(
            "", f"<malformed YAML at {where}>", f"well-formed YAML ({_problem(exc)})", file=file
        ) from None


def _problem(exc: yaml.YAMLError) -> str:
    return getattr(exc, "problem", None) or str(exc).splitlines()[0]


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file safely; a missing or malformed file raises ConfigError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ConfigError("", str(p), "an existing scenario file", file=str(p)) from None
    except OSError as exc:  # no permission, a name too long, an I/O error
        raise ConfigError(
            "", str(p), f"a readable file ({exc.strerror or exc})", file=str(p)
        ) from None
    except UnicodeDecodeError as exc:
        where = f"<not UTF-8 text: byte {exc.start + 1}>"
        raise ConfigError("", where, "a UTF-8 text file", file=str(p)) from None
    return _parse_yaml(text, str(p))


def scenario_from_dict(data: Any, *, file: str | None = None, written: Any = None) -> Scenario:
    """Validate plain data into a Scenario; errors carry the file name.

    `written` is the scenario file's own data when `data` is that file with overrides
    applied (or the file itself): its `provenance:` section is then checked too. Built
    points of a sweep or a check leave it out, since an override may remove a section
    the file documents.
    """
    try:
        if isinstance(data, Mapping) and "source_file" in data:
            raise ConfigError("source_file", data["source_file"], "no such key in a scenario")
        med = data.get("mediator") if isinstance(data, Mapping) else None
        if isinstance(med, Mapping) and med.get("schedule") and "strategy" in med:
            # Checked on the data: a strategy written as "none" equals the default, and the
            # built scenario could not tell it from one left out.
            raise ConfigError(
                "mediator.strategy",
                med["strategy"],
                "to be left out when mediator.schedule is given (each phase names its strategy)",
            )
        sc = schema.build(Scenario, data)
        _cross_check(sc)
        if written is not None:
            check_provenance(sc, written)
    except ConfigError as err:
        raise err.in_file(file or "<scenario>") from None
    return dataclasses.replace(sc, source_file=file)


def read_scenario(path: str | Path) -> tuple[Any, Scenario]:
    """A scenario file as written (plain data, for overrides to apply to) and as built,
    its provenance section checked: the base of a sweep, a sensitivity analysis or a
    check is valid on its own, and a fault in it is the file's."""
    path = _scenario_file(path)
    raw = read_yaml(path)
    return raw, scenario_from_dict(raw, file=str(path), written=raw)


def _scenario_file(path: str | Path) -> Path:
    """The scenario file a path or a shipped scenario's name (`ukraine_2025`) stands for."""
    found = shipped.locate("scenario", path)
    if not shipped.is_file(found):
        raise shipped.not_found("scenario", path, "an existing scenario file")
    return found


def load_scenario(
    path: str | Path, overrides: Mapping[str, Any] | list[str] | None = None
) -> Scenario:
    """Load and validate a scenario file, applying `--set`-style overrides first.

    Args:
        path: The YAML scenario, or the name of a shipped one (`ukraine_2025`).
        overrides: Either {"parties.russia.trust": 0.3} or ["parties.russia.trust=0.3"].
    """
    path = _scenario_file(path)
    file = str(path)
    data = raw = read_yaml(path)
    if overrides:
        try:
            data = apply_overrides(raw, parse_overrides(overrides))  # a copy: raw stays
        except ConfigError as err:
            raise err.in_file(file) from None
    return scenario_from_dict(data, file=file, written=raw)


def parse_overrides(overrides: Mapping[str, Any] | list[str]) -> dict[str, Any]:
    if isinstance(overrides, Mapping):
        return dict(overrides)
    out: dict[str, Any] = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError("--set", item, "PATH=VALUE, e.g. parties.russia.trust=0.3")
        key, _, raw = item.partition("=")
        key = key.strip()
        try:
            out[key] = _safe_load(raw) if raw.strip() else raw
        except ConfigError as err:  # a key twice in the value's own mapping
            path = f"{key}.{err.path}" if err.path else key
            raise ConfigError(path, err.value, err.expected, file="--set") from None
        except yaml.YAMLError as exc:
            raise ConfigError(
                key, raw, f"a well-formed YAML value ({_problem(exc)})", file="--set"
            ) from None
    return out


_NAMED_MAPPINGS = {"parties": "party", "issues": "issue", "stakeholders": "stakeholder"}


_PATH_PART = re.compile(r"([^\[\]]+)((?:\[\d+\])*)")


def _path_steps(dotted: str, value: Any) -> list[str | int]:
    """`mediator.schedule[0].rounds` as ["mediator", "schedule", 0, "rounds"]."""
    steps: list[str | int] = []
    for part in dotted.split("."):
        m = _PATH_PART.fullmatch(part)
        if m is None:
            raise ConfigError(
                dotted,
                value,
                "a dotted path such as parties.russia.trust (a list item as schedule[0])",
            )
        steps.append(m.group(1))
        steps.extend(int(k) for k in re.findall(r"\d+", m.group(2)))
    return steps


def _path_text(steps: Sequence[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _index_range(n: int) -> str:
    return "the list is empty" if n == 0 else f"0 to {n - 1}"


def apply_overrides(data: Any, *layers: Mapping[str, Any]) -> Any:
    """Set dotted paths in a copy of raw scenario data, one layer of overrides after the other
    (a later layer wins); a misspelled party or issue gets a suggestion.

    Field names are checked later by the schema builder (with its own suggestions); here we
    only refuse to invent a new party, issue or stakeholder through a typo. The data is copied
    once for all layers (an ensemble builds thousands of scenarios, and copying dominated),
    and each value is copied as it is set, so a later path inside it never alters the
    caller's mapping. An item of a list is reached by its index, `mediator.schedule[0].rounds`;
    a list is never extended.
    """
    data = copy.deepcopy(data) if data is not None else {}
    if not isinstance(data, dict):
        return data
    for dotted, value in (item for layer in layers for item in layer.items()):
        steps = _path_steps(dotted, value)
        node: Any = data
        for depth, step in enumerate(steps):
            where = _path_text(steps[: depth + 1])
            last = depth == len(steps) - 1
            if isinstance(step, int):
                if not isinstance(node, list):
                    raise ConfigError(where, value, "an index only where the value is a list")
                if step >= len(node):
                    raise ConfigError(
                        where, value, f"an index of the list ({_index_range(len(node))})"
                    )
            else:
                if not isinstance(node, dict):
                    raise ConfigError(where, value, "a path inside a mapping")
                if step not in node and not last:
                    parent = _path_text(steps[:depth])
                    if parent in _NAMED_MAPPINGS:
                        options = list(node)
                        raise ConfigError(
                            where,
                            value,
                            f"an existing {_NAMED_MAPPINGS[parent]} name, one of {options}",
                            hint=schema.suggest(step, options),
                        )
                    if isinstance(steps[depth + 1], int):
                        raise ConfigError(where, value, "an existing list to index into")
                    node[step] = {}
            if last:
                node[step] = copy.deepcopy(value) if isinstance(value, dict | list) else value
            else:
                node = node[step]
    return data
