"""The scenario's types: typed and frozen, each field with its meaning and admissible range.

The defaults here are the model's one set of defaults (docs/model.md explains each).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sim import schema
from sim.schema import param

ROLES = ("A", "B")
# Each indivisible issue doubles the concession paths every text search walks
# (sim.model.bargaining.whole_starts).
MAX_INDIVISIBLE = 4
# Members beside the two leads: each adds its own acceptance draw stream and columns.
MAX_MEMBERS = 8


@dataclass(frozen=True)
class Issue:
    description: str = param("", doc="What the issue is about and what its scale means.")
    deferrable: bool = param(
        False,
        doc="May be left open by a framework agreement (settled later or never).",
        fixed="structure",
    )
    open_position: float | None = param(
        None,
        bounds=(0.0, 1.0),
        doc="Position that holds on this issue while it is left open by a framework deal.",
        fixed="structure",
    )
    indivisible: bool = param(
        False,
        doc="Cannot be split: a text places it at one party's ideal or the other's "
        "(an issue of principle; Fearon 1995). Other issues can still compensate.",
        fixed="structure",
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
    role: Literal["A", "B"] = param(
        fixed="structure",
        doc="Its camp: A (holds part of B's territory) or B. The first party listed in a "
        "camp leads it; the others are its members (docs/model.md §3.15).",
    )
    ideal: Mapping[str, float] = param(bounds=(0.0, 1.0), doc="Ideal position on each issue.")
    salience: Mapping[str, float] = param(
        bounds=(0.0, 1.0), doc="Weight of each issue in the party's utility; sums to 1."
    )
    capacity: float = param(
        1.0, bounds=(0.0, None), open_low=True, doc="Own fighting capacity (relative units)."
    )
    cost_per_month: float = param(
        0.005,
        bounds=(0.0, 1.0),
        per_month="amount",
        doc="Cost of a month of war, in stakes units.",
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
        per_month="amount",
        doc="Initial bias of the believed trend toward own side "
        "(control share per month; Blainey 1973, Fearon 1995).",
        fixed="start",
    )
    belief_sd: float = param(
        0.002,
        bounds=(0.0, 1.0),
        per_month="amount",
        doc="Initial uncertainty (sd) of the believed trend, per month; 0 means the party "
        "knows the trend exactly (complete information) and its belief never moves.",
        fixed="start",
    )
    trust: float = param(
        0.5,
        bounds=(0.0, 1.0),
        doc="Belief that the other side will comply with a deal (Kydd 2005).",
        fixed="start",
    )
    exploitation_loss: float = param(
        0.1,
        bounds=(0.0, 1.0),
        doc="Loss if it complies and the other side reneges (commitment problem; Powell 2006).",
    )
    planning_horizon: int = param(
        12,
        bounds=(1, 600),
        per_month="duration",
        doc="Months over which it projects the war when valuing it.",
    )
    regroup: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Capacity, as a share of its own, that a ceasefire lets it add and that it cannot "
        "bring to bear while fighting: reserves, rearmament, reinforcement across a border it "
        "controls (Luttwak 1999; Fortna 2004).",
    )
    discount_factor: float = param(
        0.99,
        bounds=(0.0, 1.0),
        open_low=True,
        per_month="discount",
        doc="Per-month discount of future costs.",
    )
    concession_exponent: float = param(
        1.0,
        bounds=(0.0, 20.0),
        open_low=True,
        doc="Shape of the concession path: <1 Boulware (late), >1 Conceder (early); "
        "Faratin, Sierra & Jennings 1998.",
    )
    patience_months: float = param(
        24.0,
        bounds=(0.0, None),
        open_low=True,
        per_month="duration",
        doc="Months of talks after which the concession path is exhausted.",
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
    entrapment: float = param(
        0.0,
        bounds=(0.0, 10.0),
        doc="Utility its demands harden by per unit of cost it has suffered: sunk costs that "
        "must be justified (entrapment; Staw 1976, Brockner & Rubin 1985).",
    )
    grievance: float = param(
        0.0,
        bounds=(0.0, 100.0),
        doc="Share of its trust lost per unit of cost it suffers: losses breed hatred "
        "(Kaufman 2001); trust falls by exp(-grievance x cost) each round.",
    )
    at_table: bool = param(
        True,
        doc="A signatory of the talks: every text needs its consent. A member kept out of "
        "the talks (false) may still wreck what the others sign (spoiler_hazard_ratio). "
        "A camp's lead is always at the table.",
    )
    spoiler_hazard_ratio: float = param(
        1.0,
        bounds=(1.0, 20.0),
        doc="Hazard ratio of the collapse of an agreement or ceasefire while this member "
        "fights on outside the talks and expects more from fighting than from the terms "
        "(spoilers; Stedman 1997, Kydd & Walter 2002).",
    )
    domestic: Domestic = dataclasses.field(default_factory=Domestic)


@dataclass(frozen=True)
class Battlefield:
    initial_state: Literal["war", "ceasefire", "frozen"] = param(
        "war",
        doc="Where the runs start: at war, under a standing ceasefire with talks going on, "
        "or on a frozen front (which needs agreement.thaw_hazard or talks_while_frozen).",
        fixed="start",
    )
    initial_ceasefire_provisions: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Enforcement a ceasefire standing at the start has without a guarantor: its "
        "monitors and buffer zones.",
        fixed="start",
    )
    initial_control: float = param(
        0.0, bounds=(0.0, 1.0), doc="Share of B's territory held by A at the start.", fixed="start"
    )
    control_at_a_victory: float = param(
        1.0, bounds=(0.0, 1.0), doc="Control at which A could impose all its terms."
    )
    control_at_b_victory: float = param(
        0.0, bounds=(0.0, 1.0), doc="Control at which B could impose all its terms."
    )
    drift_scale: float = param(
        0.03,
        bounds=(0.0, 1.0),
        per_month="amount",
        doc="Trend per month (control share) at total dominance.",
    )
    noise_sd: float = param(
        0.003,
        # At least 1e-6, not only positive: the parties' learning divides by its square, which
        # underflows to zero for a noise near 1e-160.
        bounds=(1e-6, 1.0),
        per_month="sd",
        doc="Sd of the monthly change of control around the trend (at least 1e-6: it is also "
        "the noise of every observation the parties learn from).",
    )
    breakthrough_probability: float = param(
        0.005,
        bounds=(0.0, 1.0),
        per_month="probability",
        doc="Chance per month of a breakthrough by either side.",
    )
    breakthrough_size: float = param(
        0.03, bounds=(0.0, 1.0), doc="Control shift of a breakthrough."
    )
    exhaustion_drag: float = param(
        0.5, bounds=(0.0, 1.0), doc="Share of capacity lost at the breaking point."
    )
    ceasefire_violence: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Intensity of the fighting that goes on under a bare ceasefire, as a share of "
        "full war, before its monitors and guarantee deter part of it.",
    )
    ceasefire_cost_share: float = param(
        0.1, bounds=(0.0, 1.0), doc="Share of the cost of war still paid under a ceasefire."
    )
    regroup_months: float = param(
        3.0,
        bounds=(0.0, 60.0),
        open_low=True,
        per_month="duration",
        doc="Months of an unhindered ceasefire a side needs to bring its whole regroup "
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


def _per_party(doc: str, *, high: float | None = 1.0, per_month: str | None = None) -> Any:
    """A mediator's mapping from party name to a non-negative number."""
    return param({}, bounds=(0.0, high), per_month=per_month, doc=doc)


@dataclass(frozen=True)
class CoMediator:
    """A mediator that works beside the lead: its own lean, leverage, credibility and means
    (docs/model.md §3.6, co-mediation)."""

    bias: float = param(0.0, bounds=(-1.0, 1.0), doc="Perceived bias toward B (+) or A (-).")
    leverage: Mapping[str, float] = _per_party(
        "Carrots and sticks it brings to bear on each party."
    )
    credibility: float = param(
        0.5, bounds=(0.0, 1.0), doc="Initial belief that its threats will be carried out."
    )
    guarantee: float = param(
        0.0, bounds=(0.0, 1.0), doc="Strength of the guarantee it adds to the team's texts."
    )
    aid: Mapping[str, float] = _per_party(
        "Capacity it supplies to a party (military aid).", high=None
    )
    sanctions: Mapping[str, float] = _per_party(
        "Cost per month its sanctions impose on a party.", per_month="amount"
    )


@dataclass(frozen=True)
class Mediator:
    name: str = param("mediator", doc="Who mediates.", fixed="structure")
    strategy: str = param(
        "none", doc="Registered strategy name or 'module:Class'.", fixed="structure"
    )
    options: Mapping[str, Any] = param(
        {}, doc="Settings passed to the strategy.", fixed="structure"
    )
    schedule: tuple[Phase, ...] = param(
        (),
        doc="Strategies in phases, in order (replaces `strategy`); the last phase lasts "
        "to the end.",
        fixed="structure",
    )
    bias: float = param(
        0.0,
        bounds=(-1.0, 1.0),
        doc="Perceived bias toward B (+) or A (-); lowers the "
        "trust the disfavoured side puts in its texts and promises.",
    )
    leverage: Mapping[str, float] = _per_party(
        "Carrots and sticks it can bring to bear on each party."
    )
    credibility: float = param(
        0.5,
        bounds=(0.0, 1.0),
        doc="Initial belief that its threats will be carried out.",
        fixed="start",
    )
    follow_through: float = param(
        0.5, bounds=(0.0, 1.0), doc="Chance it carries out a threat after a refusal."
    )
    information_noise: float = param(
        0.05, bounds=(0.0, 1.0), doc="Sd of its estimates of the parties' reservation values."
    )
    aid: Mapping[str, float] = _per_party(
        "Capacity it supplies to a party (military aid).", high=None
    )
    sanctions: Mapping[str, float] = _per_party(
        "Cost per month its sanctions impose on a party.", per_month="amount"
    )
    guarantee: float = param(
        0.0, bounds=(0.0, 1.0), doc="Strength of the third-party guarantee it can attach."
    )
    partial_chance: float = param(
        0.0,
        bounds=(0.0, 1.0),
        per_month="probability",
        doc="Chance per month, while it is in session, of a self-enforcing partial deal "
        "(a prisoner exchange, a humanitarian or energy pause), whatever its strategy.",
    )
    partial_trust: float = param(
        0.03, bounds=(0.0, 1.0), doc="Share of the remaining distrust each partial deal removes."
    )
    co_mediators: Mapping[str, CoMediator] = param(
        {},
        doc="Mediators that work beside this one, by name: the team drafts one text, each "
        "side trusts the member it trusts most, and leverage and guarantees combine.",
    )
    guarantee_covers: Mapping[str, float] = param(
        {},
        bounds=(0.0, 1.0),
        doc="Per issue, the share of its clause the guarantee enforces (an issue left out: "
        "all of it); steps on an issue it does not cover are not carried out by it.",
    )
    sanctions_step: float = param(
        0.003,
        bounds=(0.0, 1.0),
        per_month="amount",
        doc="Cost per month a carried-out sanctions stick adds at full leverage.",
    )
    credibility_update: float = param(
        0.5,
        bounds=(0.0, 1.0),
        doc="How far credibility moves after a threat is carried out "
        "(toward 1) or a bluff is called (toward 0).",
    )


@dataclass(frozen=True)
class Stakeholder:
    supports: str = param(doc="The party it backs.", fixed="structure")
    aid: float = param(0.0, bounds=(0.0, None), doc="Capacity it supplies to that party.")
    sanctions: float = param(
        0.0,
        bounds=(0.0, 1.0),
        per_month="amount",
        doc="Cost per month it imposes on the other party.",
    )
    cover: float = param(
        0.0, bounds=(0.0, 1.0), doc="Share of sanctions costs on its party it offsets."
    )
    compensates_aid_cut: float = param(
        0.0, bounds=(0.0, 1.0), doc="Share of a mediator's aid cut to its party it replaces."
    )
    pressure: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Share of its aid it threatens to withhold from its party each time that party "
        "refuses a mediator's text (a patron pressing its client).",
    )
    follow_through: float = param(
        0.5, bounds=(0.0, 1.0), doc="Chance it withholds that aid after its party refused."
    )
    veto_utility_floor: float | None = param(
        None, bounds=(0.0, 1.0), doc="Blocks texts giving its party less utility than this."
    )


@dataclass(frozen=True)
class Agreement:
    base_hazard: float = param(
        0.02,
        bounds=(0.0, 1.0),
        per_month="probability",
        doc="Collapse chance of a bare agreement in its first month.",
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
    ripe_months_to_freeze: float = param(
        12.0,
        bounds=(1.0, 1000.0),
        per_month="duration",
        doc="Mean months of ripeness without a deal before the front freezes.",
    )
    ceasefire_hazard_ratio: float = param(
        2.0,
        bounds=(1.0, 20.0),
        doc="Hazard ratio of a bare ceasefire (no agreement) against a comprehensive deal.",
    )
    hazard_shape: float = param(
        1.0,
        bounds=(0.1, 3.0),
        doc="Weibull shape of the collapse hazard in the age of the peace (months since the "
        "fighting stopped): 1 keeps it constant; below 1 it falls as the peace lasts.",
    )
    violation_probability: float = param(
        0.0,
        bounds=(0.0, 1.0),
        per_month="probability",
        doc="Chance per month of a serious violation of a bare ceasefire, before its monitors "
        "and guarantee deter part of them.",
    )
    violation_hazard_ratio: float = param(
        1.0,
        bounds=(1.0, 100.0),
        doc="Hazard ratio of a ceasefire's breakdown in a round with a serious violation.",
    )
    thaw_hazard: float = param(
        0.0,
        bounds=(0.0, 1.0),
        per_month="probability",
        doc="Chance per month that a frozen front thaws into war (0: freezing is final).",
    )
    talks_while_frozen: bool = param(
        False,
        doc="Talks go on across a frozen front, and a text signed there ends the conflict.",
        fixed="structure",
    )
    ceasefire_exploitation: float = param(
        0.5,
        bounds=(0.0, 1.0),
        doc="Share of the exploitation loss a side fears from a ceasefire the other side "
        "could use to regroup (weighted by its distrust).",
    )


@dataclass(frozen=True)
class Change:
    """One dated change of a scenario's timeline (docs/model.md §3.13)."""

    at: str = param(doc="Calendar month (YYYY-MM) from whose first round the values hold.")
    set: Mapping[str, Any] = param(
        doc="Dotted paths and their new values, as `--set` writes them (numbers only)."
    )
    note: str = param("", doc="What happens then.")


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
    start: str = param("2025-01", doc="Calendar month of round 1 (YYYY-MM).", fixed="structure")
    round_days: int = param(
        30, bounds=(1, 366), doc="Length of a round in days.", fixed="structure"
    )
    horizon: int = param(
        60, bounds=(1, 2000), doc="Rounds simulated (right-censoring).", fixed="structure"
    )
    battlefield: Battlefield = dataclasses.field(default_factory=Battlefield)
    mediator: Mediator | None = None
    stakeholders: Mapping[str, Stakeholder] = param({})
    agreement: Agreement = dataclasses.field(default_factory=Agreement)
    timeline: tuple[Change, ...] = param(
        (),
        doc="Values that change at known dates: aid cut, an offensive, an election, a "
        "guarantee that lapses (docs/model.md §3.13).",
        fixed="structure",
    )
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

    @property
    def members(self) -> tuple[str, ...]:
        """The parties that do not lead their camp, in file order (§3.15)."""
        return tuple(name for name in self.parties if name not in (self.a, self.b))

    def to_dict(self) -> dict[str, Any]:
        data = schema.to_plain(self)
        data.pop("source_file", None)
        return data
