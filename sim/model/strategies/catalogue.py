"""The rest of the catalogue: strategies the source articles discuss for the Russia-Ukraine
war, each a variation on the core three (docs/strategies.md gives the sources and effects).

Every strategy here is a pure function of the observation. Those that keep time (deadlines,
withdrawal) count `phase_round`, the rounds since the strategy took over, so that they behave
the same alone and inside a phased schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.model.bargaining import either_holds
from sim.model.strategies.base import Decision, Observation, Strategy
from sim.model.strategies.builtin import (
    FacilitationOptions,
    Mediating,
    TextOptions,
    backed_text,
    draft_nash_text,
)
from sim.schema import param

_SIDE = {"A": 0, "B": 1}


def _only(mask: np.ndarray, text: np.ndarray) -> np.ndarray:
    """The text for runs in `mask`, no text (a NaN row) for the others."""
    return np.where(mask[:, None], text, np.nan)


@dataclass(frozen=True)
class CeasefireProvisions:
    """What a ceasefire, or the ceasefire in an agreement (an armistice, or a settlement
    whose forces must disengage), writes in to guard the armies (Fortna 2003, 2004)."""

    monitors: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Strength of the ceasefire's monitoring (observers, a joint commission, "
        "peacekeepers): share of the breakdown risk it closes.",
    )
    buffer_zone: float = param(
        0.0,
        bounds=(0.0, 1.0),
        doc="Strength of the separation of forces (a demilitarised zone): share of the "
        "remaining breakdown risk it closes.",
    )

    def provisions(self) -> float:
        """The share of the risk the two close together (they fail independently)."""
        return either_holds(self.monitors, self.buffer_zone)

    def written_in(self, n: int) -> np.ndarray | None:
        """The decision's `ceasefire_provisions` for n runs (None when there are none)."""
        provisions = self.provisions()
        return np.full(n, provisions) if provisions > 0 else None


class DeadlineDeal(Mediating):
    """The 'end it in 24 hours' push: a directive text backed by maximal pressure on both
    sides for a few rounds, then the mediator walks away."""

    name = "deadline_deal"
    drafts_texts = True
    summary = "directive text, threats on both sides at full leverage, hard deadline, then exit"
    sources = (
        "mediation-conditions-2025",
        "reset-2025",
        "Holbrooke 1998 (Dayton)",
        "Touval & Zartman 1985",
    )

    @dataclass(frozen=True)
    class Options(CeasefireProvisions, TextOptions):
        deadline: int = param(3, bounds=(1, 1000), doc="Rounds before the deadline expires.")
        walk_away: bool = param(
            True, doc="Leave for good when the deadline passes (False: stop pressing only)."
        )
        carrot_value: float = param(
            0.1, bounds=(0.0, 1.0), doc="Largest side payment at full leverage (stakes units)."
        )
        threat_intensity: float = param(
            1.0, bounds=(0.0, 1.0), doc="Share of its leverage behind each threat."
        )
        margin: float = param(0.02, bounds=(0.0, 1.0), doc="Safety margin on carrots.")

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        # The text counts the guarantee it will carry, as the manipulative text does, and
        # the ceasefire provisions it writes in (Dayton's implementation force and zone of
        # separation), which stay when the mediator goes.
        provisions = opts.provisions()
        text, framework, _ = draft_nash_text(
            obs,
            opts.framework_after_failures,
            external=obs.guarantee,
            provisions=provisions,
        )
        decision = backed_text(obs, text, framework, opts)
        decision.ceasefire_provisions = opts.written_in(text.shape[0])
        before = obs.phase_round <= opts.deadline
        n = before.shape[0]
        leverage = np.broadcast_to(obs.leverage, (n, 2))
        # Pressure on both sides whatever their expected shortfall: the push is the point.
        threats = np.where(before[:, None] & (leverage > 0), opts.threat_intensity, 0.0)
        decision.threats = threats
        decision.text = _only(before, text)
        assert decision.carrots is not None
        decision.carrots = np.where(before[:, None], decision.carrots, 0.0)
        decision.withdraw = ~before if opts.walk_away else None
        return decision


class CeasefireFirst(Mediating):
    """Substantive talks wait for an unconditional ceasefire, which it proposes every round.
    Whether a side accepts depends on whether it expects fighting on to pay (the side with
    momentum refuses); once the guns are silent it drafts texts."""

    name = "ceasefire_first"
    acts_after_settlement = False  # it never withdraws
    drafts_texts = True
    summary = "proposes an unconditional ceasefire each round; drafts texts only once it holds"
    sources = ("ceasefire-first-2025", "mediation-conditions-2025", "Fortna 2003", "Fortna 2004")

    @dataclass(frozen=True)
    class Options(CeasefireProvisions, TextOptions):
        guarantee: bool = param(
            False, doc="Attach the mediator's guarantee (mediator.guarantee) to the ceasefire."
        )

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        provisions = opts.provisions()
        text, framework, _ = draft_nash_text(
            obs, opts.framework_after_failures, provisions=provisions
        )
        n = obs.fighting.shape[0]
        return Decision(
            text=_only(obs.in_ceasefire, text),
            framework=framework,
            ceasefire=obs.fighting.copy(),
            ceasefire_provisions=opts.written_in(n),
            guarantee=(
                np.broadcast_to(obs.guarantee, (n,)).astype(float) if opts.guarantee else None
            ),
        )


class TalkingWhileFighting(Mediating):
    """Talks go on while the fighting does; the ceasefire comes with the first agreement
    (an armistice: ceasefire plus framework, the political questions deferred), so a ripe
    front does not freeze while its text is on the table or in its recesses."""

    name = "talking_while_fighting"
    acts_after_settlement = False  # it never withdraws
    drafts_texts = True
    summary = "texts while fighting; the ceasefire comes with an armistice-style framework"
    sources = ("ceasefire-first-2025", "Korean armistice talks 1951-53")

    @dataclass(frozen=True)
    class Options(CeasefireProvisions, TextOptions):
        armistice_first: bool = param(
            True, doc="Draft an armistice (a framework, deferrable issues open) from the start."
        )

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        provisions = opts.provisions()
        text, framework, _ = draft_nash_text(
            obs,
            opts.framework_after_failures,
            framework_first=opts.armistice_first,
            provisions=provisions,
        )
        n = text.shape[0]
        return Decision(
            text=text,
            framework=framework,
            ceasefire_provisions=opts.written_in(n),
            # The defining choice of the strategy: no pause in the fighting before the
            # armistice, so a ripe front does not freeze while its text is on the table or
            # in its recesses.
            keep_fighting=np.ones(n, dtype=bool),
        )


class PublicFormula(Mediating):
    """A formula announced in public: refusing it costs face abroad, conceding to it costs
    more at home, and reneging on it later is costlier (audience costs both ways)."""

    name = "public_formula"
    acts_after_settlement = False  # it never withdraws
    drafts_texts = True
    summary = "public text: refusing and reneging cost more, and so do concessions at home"
    sources = ("troitskiy-2024", "Fearon 1994", "Putnam 1988")

    @dataclass(frozen=True)
    class Options(TextOptions):
        refusal_cost: float = param(
            0.03, bounds=(0.0, 1.0), doc="What a side pays for refusing a public text (stakes)."
        )
        hurdle_scale: float = param(
            1.5, bounds=(0.0, 10.0), doc="Multiplier of the domestic hurdle of a public concession."
        )
        hazard_ratio: float = param(
            0.7, bounds=(0.01, 100.0), doc="Collapse-hazard ratio of a publicly committed deal."
        )

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        text, framework, _ = draft_nash_text(obs, opts.framework_after_failures)
        n = text.shape[0]
        return Decision(
            text=text,
            framework=framework,
            refusal_cost=np.full((n, 2), opts.refusal_cost),
            hurdle_scale=np.full(n, opts.hurdle_scale),
            hazard_ratio=np.full(n, opts.hazard_ratio),
        )


class PrivateChannel(PublicFormula):
    """Confidential talks: concessions cost less at home, but a deal nobody announced binds
    less, so it is easier to walk away from (and refusing costs nothing abroad)."""

    name = "private_channel"
    acts_after_settlement = False  # it never withdraws
    summary = "confidential text: lower domestic cost of concessions, deals bind less"
    sources = ("troitskiy-2024", "Putnam 1988", "Stasavage 2004")

    @dataclass(frozen=True)
    class Options(PublicFormula.Options):
        refusal_cost: float = param(
            0.0, bounds=(0.0, 1.0), doc="What a side pays for refusing the text (stakes)."
        )
        hurdle_scale: float = param(
            0.5, bounds=(0.0, 10.0), doc="Multiplier of the domestic hurdle of a quiet concession."
        )
        hazard_ratio: float = param(
            1.5, bounds=(0.01, 100.0), doc="Collapse-hazard ratio of a deal made in private."
        )


class WorkingGroups(Mediating):
    """Expert working groups on parallel tracks plus a leaders' channel.

    The groups draft a framework (ceasefire plus the core elements; deferrable issues stay
    open) before a comprehensive text; a humanitarian track concludes self-enforcing partial
    agreements (prisoner exchanges) that build trust; when the texts deadlock, the leaders'
    channel takes the concession past the hardliners for a round.
    """

    name = "working_groups"
    acts_after_settlement = False  # it never withdraws
    drafts_texts = True
    summary = "framework first via working groups, trust-building partial deals, leader channel"
    sources = ("window-2025", "Osgood 1962", "Kydd 2000", "Putnam 1988")

    @dataclass(frozen=True)
    class Options(FacilitationOptions):
        partial_chance: float = param(
            0.3, bounds=(0.0, 1.0), doc="Chance per round of a partial (humanitarian) agreement."
        )
        partial_trust: float = param(
            0.03, bounds=(0.0, 1.0), doc="Share of remaining distrust each partial deal removes."
        )
        summit_after: int = param(
            3, bounds=(1, 1000), doc="Refused texts in a row before the leaders step in."
        )
        summit_relief: float = param(
            0.5, bounds=(0.0, 1.0), doc="Share of the domestic hurdle a leaders' summit lifts."
        )
        information: float = param(
            0.5, bounds=(0.0, 100.0), doc="Extra precision of information the groups pool."
        )

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        text, framework, _ = draft_nash_text(obs, 0, framework_first=True)
        n = text.shape[0]
        summit = obs.failed_texts >= opts.summit_after
        return Decision(
            text=text,
            framework=framework,
            partial_track=np.full(n, opts.partial_chance),
            partial_trust=np.full(n, opts.partial_trust),
            hurdle_scale=np.where(summit, 1.0 - opts.summit_relief, 1.0),
        )


class NormalizationCarrot(Mediating):
    """Great-power rapprochement offered to side A, paid only if the war ends; optionally
    with more pressure on A while it holds out, and an exit some rounds after a deal."""

    name = "normalization_carrot"
    drafts_texts = True
    summary = "texts plus normalization for A on signing (and pressure on A until it signs)"
    sources = ("reset-2025", "window-2025", "Beardsley 2011")

    @dataclass(frozen=True)
    class Options(TextOptions):
        carrot_value: float = param(
            0.1, bounds=(0.0, 1.0), doc="Value of normalization to A at full leverage (stakes)."
        )
        pressure: float = param(
            0.0,
            bounds=(0.0, 1.0),
            doc="Extra per-round sanctions cost on A added when the strategy takes over.",
        )
        exit_after: int = param(
            0,
            bounds=(0, 1000),
            doc="Rounds after an agreement when the mediator (and its carrot) leaves "
            "(0: it stays and keeps paying).",
        )

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        text, framework, _ = draft_nash_text(obs, opts.framework_after_failures)
        n = text.shape[0]
        leverage = np.broadcast_to(obs.leverage, (n, 2))
        carrots = np.zeros((n, 2))
        carrots[:, 0] = leverage[:, 0] * opts.carrot_value
        sanctions = np.zeros((n, 2))
        sanctions[:, 0] = np.where(obs.phase_round == 1, opts.pressure, 0.0)
        withdraw = None
        if opts.exit_after > 0:
            since = obs.round - obs.agreement_round
            withdraw = obs.agreed & (obs.agreement_round > 0) & (since >= opts.exit_after)
        return Decision(
            text=text,
            framework=framework,
            carrots=carrots,
            sanctions_change=sanctions,
            withdraw=withdraw,
        )


class SideWith(Mediating):
    """The mediator takes a side: more military aid to it and more sanctions on the other
    (once, when the strategy takes over), and texts tilted its way."""

    name = "side_with"
    acts_after_settlement = False  # it never withdraws
    drafts_texts = True
    summary = "aligns with one side: more aid to it, sanctions on the other, texts tilted its way"
    sources = ("reset-2025", "Kydd 2003", "Svensson 2009")

    @dataclass(frozen=True)
    class Options(TextOptions):
        side: Literal["A", "B"] = param("B", doc="The side it aligns with (party role).")
        aid_increase: float = param(
            0.1, bounds=(0.0, 10.0), doc="Capacity added to that side's aid (capacity units)."
        )
        sanctions_increase: float = param(
            0.003, bounds=(0.0, 1.0), doc="Per-round cost added to sanctions on the other side."
        )
        tilt: float = param(0.5, bounds=(0.0, 1.0), doc="Shift of its texts toward that side.")

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        ally = _SIDE[opts.side]
        sign = 1.0 if ally == 1 else -1.0
        text, framework, _ = draft_nash_text(
            obs, opts.framework_after_failures, tilt=sign * opts.tilt
        )
        n = text.shape[0]
        first = obs.phase_round == 1
        aid = np.zeros((n, 2))
        aid[:, ally] = np.where(first, opts.aid_increase, 0.0)
        sanctions = np.zeros((n, 2))
        sanctions[:, 1 - ally] = np.where(first, opts.sanctions_increase, 0.0)
        return Decision(text=text, framework=framework, aid_change=aid, sanctions_change=sanctions)


class Withdrawal(Mediating):
    """Drafts texts for a while, then leaves for good: after a set number of rounds, or after
    a run of refused texts (whichever comes first)."""

    name = "withdrawal"
    drafts_texts = True
    summary = "drafts texts, then leaves after a set round or after N refused texts in a row"
    sources = ("reset-2025", "Beardsley 2008")

    @dataclass(frozen=True)
    class Options(TextOptions):
        after_rounds: int = param(4, bounds=(0, 10000), doc="Rounds it stays (0: leaves at once).")
        after_failures: int = param(
            0, bounds=(0, 1000), doc="Refused texts in a row that make it leave (0: never)."
        )

    def moves(self, obs: Observation) -> Decision:
        opts = self.options
        text, framework, _ = draft_nash_text(obs, opts.framework_after_failures)
        leave = obs.phase_round > opts.after_rounds
        if opts.after_failures > 0:
            leave = leave | (obs.failed_texts >= opts.after_failures)
        return Decision(text=_only(~leave, text), framework=framework, withdraw=leave)


# The strategies of this module, registered by sim.model.strategies.registry.
STRATEGIES: tuple[type[Strategy], ...] = (
    DeadlineDeal,
    CeasefireFirst,
    TalkingWhileFighting,
    PublicFormula,
    PrivateChannel,
    WorkingGroups,
    NormalizationCarrot,
    SideWith,
    Withdrawal,
)
