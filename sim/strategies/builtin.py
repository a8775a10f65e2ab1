"""Built-in mediator strategies (the core four; the full catalogue builds on these).

The typology is Touval & Zartman's (1985) communication-facilitation, formulation and
manipulation, as coded by Beardsley, Quinn, Biswas & Wilkenfeld (2006).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import bargaining
from sim.schema import param
from sim.strategies.base import Decision, Observation, Strategy
from sim.strategies.registry import register


@register
class NoMediator(Strategy):
    """Direct talks: the parties exchange offers on their own concession paths."""

    name = "none"
    summary = "no mediator: direct talks, alternating offers on concession paths"
    sources = ("Rubinstein 1982", "Faratin, Sierra & Jennings 1998")

    def decide(self, obs: Observation) -> Decision:
        return Decision()


@register
class Facilitative(Strategy):
    """Communication-facilitation: shares information and builds trust; drafts no texts."""

    name = "facilitative"
    summary = "relays information (faster belief convergence) and slowly builds trust; no texts"
    sources = ("Touval & Zartman 1985", "Beardsley et al. 2006", "Kydd 2003")

    @dataclass(frozen=True)
    class Options:
        information: float = param(
            1.0,
            bounds=(0.0, 100.0),
            doc="Extra precision of shared information, as a "
            "multiple of one round of each party's own observation.",
        )
        trust_building: float = param(
            0.02, bounds=(0.0, 1.0), doc="Share of remaining distrust removed per round."
        )

    def decide(self, obs: Observation) -> Decision:
        n = obs.at_war.shape[0]
        return Decision(
            information=np.full(n, self.options.information),
            trust_building=np.full(n, self.options.trust_building),
        )


def draft_nash_text(
    obs: Observation, framework_after_failures: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mediator's single negotiating text: the (bias-tilted) Nash bargaining point.

    It works on its own noisy estimates of the parties' reservation values and domestic
    hurdles. After `framework_after_failures` refused texts in a row, it drafts a framework
    instead: deferrable issues stay open at their open position and the rest is bargained.

    Returns (text positions (R, K), framework (R,), mediator-feasible (R,)).
    """
    n = obs.control.shape[0]
    space = obs.space
    framework = (
        (obs.failed_texts >= framework_after_failures)
        & (framework_after_failures > 0)
        & bool(obs.deferrable.any())
    )
    pinned = framework[:, None] & obs.deferrable[None, :]
    movable = ~pinned
    open_t = space.progress(obs.open_position)
    start = np.where(pinned, open_t, 1.0)
    if space.weights.ndim == 2:
        # Parameters shared by all runs: only two frontiers exist (comprehensive and
        # framework), so build each once and pick per run.
        paths = [
            bargaining.concession_path(0, space, mov, np.where(mov, 1.0, open_t)[None, :])
            for mov in (np.ones_like(obs.deferrable), ~obs.deferrable)
        ]
        pick = framework[:, None, None]
        path = bargaining.Path(
            giver=0,
            ranks=np.where(framework[:, None], paths[1].ranks, paths[0].ranks),
            u=np.where(pick, paths[1].u, paths[0].u),
            g=np.where(pick, paths[1].g, paths[0].g),
        )
    else:
        path = bargaining.concession_path(0, space, movable, start)
    disagreement = obs.reservation_estimate + obs.hurdle_estimate
    power_b = np.broadcast_to(0.5 * (1.0 + np.asarray(obs.bias, dtype=float)), (n,))
    lam, feasible = bargaining.nash_point(path, disagreement[:, 0], disagreement[:, 1], power_b)
    return space.positions(path.point(lam, start, movable)), framework, feasible


@register
class Formulative(Strategy):
    """Formulation: puts a single negotiating text on the table each round."""

    name = "formulative"
    drafts_texts = True
    summary = "drafts a single text each round: Nash point on its noisy estimates, tilted by bias"
    sources = ("Fisher 1981 (single negotiating text)", "Nash 1950", "Beardsley et al. 2006")

    @dataclass(frozen=True)
    class Options:
        framework_after_failures: int = param(
            3,
            bounds=(0, 1000),
            doc="Refused texts in a row before it drafts a framework "
            "deal leaving deferrable issues open (0: never).",
        )

    def decide(self, obs: Observation) -> Decision:
        text, framework, _ = draft_nash_text(obs, self.options.framework_after_failures)
        return Decision(text=text, framework=framework)


@register
class Manipulative(Strategy):
    """Manipulation (power mediation): a text plus carrots, sticks and guarantees."""

    name = "manipulative"
    drafts_texts = True
    summary = "drafts texts and backs them with carrots, threatened sticks and guarantees"
    sources = ("Touval & Zartman 1985", "Beardsley et al. 2006", "Beardsley 2011")

    @dataclass(frozen=True)
    class Options:
        framework_after_failures: int = param(3, bounds=(0, 1000), doc="As in formulative.")
        carrot_value: float = param(
            0.1, bounds=(0.0, 1.0), doc="Largest side payment at full leverage (stakes units)."
        )
        threat_intensity: float = param(
            1.0, bounds=(0.0, 1.0), doc="Share of its leverage put behind a threat."
        )
        margin: float = param(
            0.02, bounds=(0.0, 1.0), doc="Safety margin it adds when sizing a carrot."
        )

    def decide(self, obs: Observation) -> Decision:
        text, framework, _ = draft_nash_text(obs, self.options.framework_after_failures)
        n = text.shape[0]
        utility = obs.space.utilities(obs.space.progress(text))
        shortfall = obs.reservation_estimate + obs.hurdle_estimate - utility
        leverage = np.broadcast_to(obs.leverage, (n, 2))
        cap = leverage * self.options.carrot_value
        carrots = np.clip(shortfall + self.options.margin, 0.0, cap)
        # Threaten whoever it still expects to balk after the carrot.
        threats = np.where(shortfall + self.options.margin > carrots, 1.0, 0.0)
        threats *= self.options.threat_intensity * (leverage > 0)
        return Decision(
            text=text,
            framework=framework,
            carrots=carrots,
            threats=threats,
            guarantee=np.broadcast_to(np.asarray(obs.guarantee_capacity, dtype=float), (n,)).copy(),
        )
