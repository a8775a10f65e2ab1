"""Built-in mediator strategies (the core four; the full catalogue builds on these).

The typology is Touval & Zartman's (1985) communication-facilitation, formulation and
manipulation, as coded by Beardsley, Quinn, Biswas & Wilkenfeld (2006).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.model import bargaining
from sim.model import rows as _rows
from sim.model.rows import pair, sides
from sim.model.strategies.base import Decision, Observation, Strategy
from sim.schema import param


class NoMediator(Strategy):
    """Direct talks: the parties exchange offers on their own concession paths."""

    name = "none"
    acts_after_settlement = False  # it never withdraws
    summary = "no mediator: direct talks, alternating offers on concession paths"
    sources = ("Rubinstein 1982", "Faratin, Sierra & Jennings 1998")

    def decide(self, obs: Observation) -> Decision:
        return Decision()


@dataclass(frozen=True)
class FacilitationOptions:
    """Communication settings. The modes are nested in practice: a mediator that drafts texts
    also relays information and works on trust (Beardsley et al. 2006 code the most
    intensive mode used), so every text-drafting strategy carries these too."""

    information: float = param(
        1.0,
        bounds=(0.0, 100.0),
        doc="Extra precision of shared information, as a "
        "multiple of one round of each party's own observation.",
    )
    trust_building: float = param(
        0.02, bounds=(0.0, 1.0), doc="Share of remaining distrust removed per round."
    )


@dataclass(frozen=True)
class TextOptions(FacilitationOptions):
    """Settings of a mediator that drafts texts."""

    framework_after_failures: int = param(
        3,
        bounds=(0, 1000),
        doc="Refused texts in a row before it drafts a framework "
        "deal leaving deferrable issues open (0: never).",
    )
    recess_rounds: tuple[int, ...] = param(
        (),
        bounds=(1, 100_000),
        doc="Rounds (counted from the start of the strategy) in which the talks are in "
        "recess: no session, so no text, no offers of the parties' own and no relaying.",
    )


class Mediating(Strategy):
    """A mediator that communicates: whatever else it does (`moves`), it shares information
    and builds trust every round, with its options' settings."""

    Options = FacilitationOptions

    def decide(self, obs: Observation) -> Decision:
        n = obs.at_war.shape[0]
        decision = self.moves(obs)
        decision.information = np.full(n, self.options.information)
        decision.trust_building = np.full(n, self.options.trust_building)
        recess_rounds = getattr(self.options, "recess_rounds", ())
        recess = np.isin(obs.phase_round, recess_rounds) if recess_rounds else None
        if recess is not None and recess.any():
            # The moves are drafted all the same and the engine holds them back in the runs
            # in recess, so that what a run gets never depends on the other runs of its
            # batch (a schedule's phases start in different rounds in different runs).
            decision.recess = recess
        return decision

    def moves(self, obs: Observation) -> Decision:
        """Everything but the communication (nothing, for pure facilitation)."""
        return Decision()


class Facilitative(Mediating):
    """Communication-facilitation: shares information and builds trust; drafts no texts."""

    name = "facilitative"
    acts_after_settlement = False  # it never withdraws
    summary = "relays information (faster belief convergence) and slowly builds trust; no texts"
    sources = ("Touval & Zartman 1985", "Beardsley et al. 2006", "Kydd 2003")


def draft_nash_text(
    obs: Observation,
    framework_after_failures: int,
    *,
    framework_first: bool = False,
    tilt: float = 0.0,
    external: np.ndarray | float = 0.0,
    provisions: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mediator's single negotiating text: the (bias-tilted) Nash bargaining point.

    It works on its own noisy estimates of the parties' reservation values and domestic
    hurdles. After `framework_after_failures` refused texts in a row, it drafts a framework
    instead: deferrable issues stay open at their open position and the rest is bargained.
    `framework_first` drafts the framework from the start; `tilt` adds to the mediator's bias
    toward B (+) or A (-) for this text only; `external` is the outside guarantee (R,) the
    parties would see attached to it; `provisions` is the share of the risk that the
    ceasefire provisions written into the text (monitors or peacekeepers, a buffer zone)
    close.

    Returns (text positions (R, K), framework (R,), mediator-feasible (R,)); runs where no
    talks can happen get a row of NaN (no text).
    """
    n = obs.control.shape[0]
    talking = np.flatnonzero(obs.at_war)
    if talking.size < n:
        # Draft only where talks can happen (most runs have ended after the first months).
        text = np.full((n, obs.deferrable.shape[0]), np.nan)
        framework = np.zeros(n, dtype=bool)
        feasible = np.zeros(n, dtype=bool)
        if talking.size:
            ext = np.asarray(external, dtype=float)
            sub_ext = ext[talking] if ext.ndim == 1 else ext
            t, f, ok = draft_nash_text(
                obs.subset(talking),
                framework_after_failures,
                framework_first=framework_first,
                tilt=tilt,
                external=sub_ext,
                provisions=provisions,
            )
            _rows.put(text, talking, t)
            framework[talking], feasible[talking] = f, ok
        return text, framework, feasible
    return _draft_everywhere(
        obs, framework_after_failures, framework_first, tilt, external, provisions
    )


def _draft_everywhere(
    obs: Observation,
    framework_after_failures: int,
    framework_first: bool,
    tilt: float,
    external: np.ndarray | float,
    provisions: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`draft_nash_text` for an observation in whose every run talks can happen."""
    n = obs.control.shape[0]
    if obs.seats is not None:
        # Run by run: the texts of the runs with a member at the table are drafted for
        # every signatory, the others' as in a two-party scenario, so that a run's text
        # never depends on the runs beside it (§6, replay).
        seated = obs.seats.seated.any(axis=1)
        if not seated.any():
            obs = obs._replace(seats=None)
        elif not seated.all():
            text = np.empty((n, obs.deferrable.shape[0]))
            framework = np.zeros(n, dtype=bool)
            feasible = np.zeros(n, dtype=bool)
            ext = np.asarray(external, dtype=float)
            for part, with_seats in ((seated, True), (~seated, False)):
                rows = np.flatnonzero(part)
                sub = obs.subset(rows)
                t, f, ok = _draft_everywhere(
                    sub if with_seats else sub._replace(seats=None),
                    framework_after_failures,
                    framework_first,
                    tilt,
                    ext[rows] if ext.ndim == 1 else ext,
                    provisions,
                )
                _rows.put(text, rows, t)
                framework[rows], feasible[rows] = f, ok
            return text, framework, feasible
    space = obs.space
    framework = (
        ((obs.failed_texts >= framework_after_failures) & (framework_after_failures > 0))
        | framework_first
    ) & bool(obs.deferrable.any())
    pinned = framework[:, None] & obs.deferrable[None, :]
    movable = ~pinned
    open_t = space.progress(obs.open_position)
    start = np.where(pinned, open_t, 1.0)
    bias = np.clip(np.asarray(obs.bias, dtype=float) + tilt, -1.0, 1.0)
    power_b = np.broadcast_to(0.5 * (1.0 + bias), (n,))
    if provisions > 0.0:
        # The text's ceasefire provisions count with the guarantee, for every text drafted.
        external = _with_provisions(
            np.broadcast_to(np.asarray(external, dtype=float), (n,)), provisions
        )
    # The Nash product is taken over the parties' acceptance scores, not raw utilities: the
    # disagreement point of each side is the text it would just sign, given the risk that
    # the other reneges and its own domestic hurdle (docs/model.md §4).
    if obs.seats is not None:  # a member at the table in every run
        ext = np.broadcast_to(np.asarray(external, dtype=float), (n,))
        progress, feasible = _signatories_nash(
            obs.for_framework(framework), framework, start, movable, ext, power_b
        )
        return space.positions(progress), framework, feasible
    if space.indivisible is not None and (movable & space.indivisible).any():
        ext = np.broadcast_to(np.asarray(external, dtype=float), (n,))
        progress, feasible = _whole_nash(obs.for_framework(framework), start, movable, ext, power_b)
        return space.positions(progress), framework, feasible
    if space.weights.ndim == 2:
        progress, feasible = _shared_frontier_nash(obs, framework, open_t, external, power_b)
        return space.positions(progress), framework, feasible
    path = bargaining.concession_path(0, space, movable, start)
    lam, feasible = score_nash_point(obs.for_framework(framework), path, external, power_b)
    return space.positions(path.point(lam, start, movable)), framework, feasible


def _shared_frontier_nash(
    obs: Observation,
    framework: np.ndarray,
    open_t: np.ndarray,
    external: np.ndarray | float,
    power_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Nash texts (progress, feasible) when every run shares the parameters: only two
    frontiers exist (comprehensive and framework); each is built once and solved for the
    runs that use it."""
    space = obs.space
    n = obs.control.shape[0]
    feasible = np.zeros(n, dtype=bool)
    progress = np.empty((n, obs.deferrable.shape[0]))
    ext = np.asarray(external, dtype=float)
    for variant, mov in ((False, np.ones_like(obs.deferrable)), (True, ~obs.deferrable)):
        rows = np.flatnonzero(framework == variant)
        if rows.size == 0:
            continue
        start_v = np.where(mov, 1.0, open_t)[None, :]
        # The same frontier every round: built once per space and start.
        key = (mov.tobytes(), start_v.tobytes())
        path = space.paths.get(key)
        if path is None:
            path = space.paths[key] = bargaining.concession_path(0, space, mov, start_v)
        sub = obs if rows.size == n else obs.subset(rows)
        if variant:
            sub = sub.for_framework(np.ones(rows.size, dtype=bool))
        sub_ext = ext[rows] if ext.ndim == 1 else ext
        lam, ok = score_nash_point(sub, path, sub_ext, power_b[rows])
        _rows.put(progress, rows, path.point(lam, start_v, mov))
        feasible[rows] = ok
    return progress, feasible


def _whole_nash(
    obs: Observation,
    start: np.ndarray,
    movable: np.ndarray,
    external: np.ndarray,
    power_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The Nash text when some issues cannot be split: the best, run by run, of the Nash
    texts on the paths that place the indivisible issues at one end or the other and move
    only the divisible ones (`bargaining.whole_starts`). Where some placement leaves both
    sides a non-negative score, the largest Nash product among those wins; where none does,
    the text whose worse-off side falls least short (docs/model.md §4)."""
    space = obs.space
    assert space.indivisible is not None
    rest = movable & ~space.indivisible
    texts, products, shortfalls, oks = [], [], [], []
    for placed in bargaining.whole_starts(space, start, movable):
        path = bargaining.concession_path(0, space, rest, placed)
        lam, ok = score_nash_point(obs, path, external, power_b)
        t = path.point(lam, placed, rest)
        u, g = space.evaluate(t)
        s = obs.scores(u, g, external)
        with np.errstate(divide="ignore"):
            product = (1 - power_b) * np.log(np.maximum(s[:, 0], 1e-300)) + power_b * np.log(
                np.maximum(s[:, 1], 1e-300)
            )
        texts.append(t)
        products.append(np.where(ok, product, -np.inf))
        shortfalls.append(s.min(axis=1))
        oks.append(ok)
    ok_any = np.any(oks, axis=0)
    pick = np.where(ok_any, np.argmax(products, axis=0), np.argmax(shortfalls, axis=0))
    chosen = np.stack(texts)[pick, np.arange(pick.shape[0])]
    return chosen, ok_any


# `_signatories_nash` weighs the leads' frontier at this many points per issue, then narrows
# the interval around the best of them by this many golden-section steps.
_SIGNATORY_GRID = 8
_SIGNATORY_STEPS = 24
# Below any feasible text's value: an infeasible text is ranked by its shortfall alone.
_INFEASIBLE = -1e12
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _signatories_nash(
    obs: Observation,
    framework: np.ndarray,
    start: np.ndarray,
    movable: np.ndarray,
    external: np.ndarray,
    power_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The Nash text over every signatory, the two leads and the camps' members at the
    table (docs/model.md §3.15): the text on the leads' frontier (one path per placement
    of the indivisible issues) that maximises the product of all their acceptance scores,
    each weighted with its camp's bargaining power. With more than two factors the product
    has no closed form on a segment: it is weighed at `_SIGNATORY_GRID` points per issue,
    and the best of them refined by golden-section search between its neighbours. Where no
    text leaves every signatory a non-negative score, the text whose worst-off signatory
    falls least short."""
    space, seats = obs.space, obs.seats
    assert seats is not None
    n, k = power_b.shape[0], obs.deferrable.shape[0]
    whole = space.indivisible is not None and bool((movable & space.indivisible).any())
    rest = movable & ~space.indivisible if whole and space.indivisible is not None else movable
    placements = bargaining.whole_starts(space, start, movable) if whole else [start]
    weight = np.stack([1.0 - power_b, power_b], axis=-1) * 2.0
    member_weight = np.where(seats.seated, weight[:, seats.camp], 0.0)
    share = np.where(framework, np.asarray(obs.framework_loss_share, dtype=float), 1.0)

    def rank(path: bargaining.Path, placed: np.ndarray, lam: np.ndarray) -> np.ndarray:
        """The texts at `lam` (R,) ranked: the log Nash product where every signatory's
        score is non-negative, else `_INFEASIBLE` plus the worst shortfall."""
        t = path.point(lam, placed, rest)
        u, g = space.evaluate(t)
        lead = obs.scores(u, g, external)
        enforced = bargaining.either_holds(np.clip(g, 0.0, 1.0), external[:, None])
        _, member = seats.scores(space.positions(t), enforced, 1.0, share)
        # Column by column: numpy reduces a short last axis several times slower. A
        # member not at the table neither constrains the text nor weighs in it.
        short = np.minimum(lead[:, 0], lead[:, 1])
        value = weight[:, 0] * np.log(np.maximum(lead[:, 0], 1e-300))
        value += weight[:, 1] * np.log(np.maximum(lead[:, 1], 1e-300))
        for j in range(member.shape[1]):
            seated = seats.seated[:, j]
            short = np.minimum(short, np.where(seated, member[:, j], np.inf))
            value += member_weight[:, j] * np.log(
                np.where(seated, np.maximum(member[:, j], 1e-300), 1.0)
            )
        return np.where(short >= 0.0, value, _INFEASIBLE + short)

    best_t, best = np.zeros((n, k)), np.full(n, -np.inf)
    for placed in placements:
        path = bargaining.concession_path(0, space, rest, placed)
        lam_best, top = np.zeros(n), np.full(n, -np.inf)
        for lam in np.linspace(0.0, float(k), _SIGNATORY_GRID * k + 1):
            r = rank(path, placed, np.full(n, lam))
            lam_best, top = np.where(r > top, lam, lam_best), np.maximum(r, top)
        # Golden-section search between the best grid point's neighbours.
        lo = np.clip(lam_best - 1.0 / _SIGNATORY_GRID, 0.0, float(k))
        hi = np.clip(lam_best + 1.0 / _SIGNATORY_GRID, 0.0, float(k))
        c, d = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
        rc, rd = rank(path, placed, c), rank(path, placed, d)
        for _ in range(_SIGNATORY_STEPS):
            left = rc >= rd  # the best lies in [lo, d]
            hi, lo = np.where(left, d, hi), np.where(left, lo, c)
            probe = np.where(left, hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo))
            r = rank(path, placed, probe)
            c, d = np.where(left, probe, d), np.where(left, c, probe)
            rc, rd = np.where(left, r, rd), np.where(left, rc, r)
        middle = 0.5 * (lo + hi)
        r = rank(path, placed, middle)
        lam_final = np.where(r > top, middle, lam_best)
        top = np.maximum(r, top)
        better = top > best
        best_t[better] = path.point(lam_final, placed, rest)[better]
        best = np.maximum(top, best)
    return best_t, best > _INFEASIBLE / 2


def _with_provisions(external: np.ndarray | float, provisions: float) -> np.ndarray:
    """An outside guarantee and a text's ceasefire provisions, as one safeguard: each
    closes a share of the risk and they fail independently (docs/model.md §3.9)."""
    return bargaining.either_holds(np.asarray(external, dtype=float), provisions)


# Runs per block of the Nash solver: its temporaries (runs x 3K pieces) then stay in the
# processor's cache. Over a whole chunk they would not, and the solver would wait on
# memory: blocks of 4,096 runs solved it about twice as fast as 32,768 at once (Ukraine
# scenario, measured interleaved). Runs are solved independently, so the numbers are the
# same whatever the blocks.
_NASH_BLOCK = 4096


def score_nash_point(
    obs: Observation, path: bargaining.Path, external: np.ndarray | float, power_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nash point of the acceptance scores along `path` (A giving to B), solved block by
    block of runs (`_nash_on_path`)."""
    n = power_b.shape[0]
    if n <= _NASH_BLOCK:
        return _nash_on_path(obs, path, external, power_b)
    lam, feasible = np.empty(n), np.empty(n, dtype=bool)
    ext = np.asarray(external, dtype=float)
    for start in range(0, n, _NASH_BLOCK):
        part = slice(start, min(start + _NASH_BLOCK, n))
        sub_path = path
        if path.u.shape[0] == n:  # a path per run
            ranks = path.ranks[part] if path.ranks.shape[0] == n else path.ranks
            sub_path = bargaining.Path(
                giver=path.giver, ranks=ranks, u=path.u[part], g=path.g[part]
            )
        lam[part], feasible[part] = _nash_on_path(
            obs.subset(part), sub_path, ext[part] if ext.ndim == 1 else ext, power_b[part]
        )
    return lam, feasible


def _nash_on_path(
    obs: Observation, path: bargaining.Path, external: np.ndarray | float, power_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nash point of the acceptance scores along `path` (A giving to B).

    Along a segment utilities and enforcement are linear; the domestic hurdle jumps where a
    side's utility crosses its victory threshold. Each segment is cut at those (at most two)
    crossings, the hurdle is constant on each piece, and the scores are taken as linear on
    each piece (exact at its ends). Returns (lambda on the path, feasible).
    """
    n = power_b.shape[0]
    # The geometry (breakpoints, threshold crossings, hurdles) lives on the path's own rows:
    # one row when every run shares the parameters, n rows otherwise.
    u, g = np.broadcast_arrays(path.u, path.g)
    m = u.shape[0]
    u0, du = u[:, :-1], u[:, 1:] - u[:, :-1]  # (m, K, 2)
    g0, dg = g[:, :-1], g[:, 1:] - g[:, :-1]
    thr = np.asarray(obs.victory_threshold, dtype=float)
    if thr.ndim == 2 and m == 1:
        # Thresholds vary by run while the path does not: geometry per run.
        u0, du, g0, dg = (np.broadcast_to(a, (n, *a.shape[1:])) for a in (u0, du, g0, dg))
        m = n
    thr = thr[:, None, :] if thr.ndim == 2 else thr
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = np.where(np.abs(du) > 1e-12, (thr - u0) / du, 0.0)
    cross = np.clip(np.nan_to_num(cross), 0.0, 1.0)
    cuts = np.sort(cross, axis=-1)
    edge = np.zeros(cuts.shape[:-1] + (1,))
    bounds = np.concatenate([edge, cuts, edge + 1.0], axis=-1)  # (m, K, 4)
    lo, hi = bounds[..., :-1], bounds[..., 1:]  # (m, K, 3) pieces
    mid = 0.5 * (lo + hi)

    def at(frac: np.ndarray, base: np.ndarray, step: np.ndarray) -> np.ndarray:
        return base[:, :, None, :] + frac[..., None] * step[:, :, None, :]  # (m, K, 3, 2)

    k = u0.shape[1]
    flat = (m, 3 * k, 2)
    u_mid, u_lo, u_hi = (at(x, u0, du).reshape(flat) for x in (mid, lo, hi))
    g_lo, g_hi = (at(x, g0, dg).reshape(flat) for x in (lo, hi))
    labels, ignore = None, None
    if m > 1:
        # Pieces per run: the empty ones are passed over, as the shared case drops them.
        ignore = ~(hi > lo).reshape(m, 3 * k)
    if m == 1:
        # Shared geometry: a segment that no threshold crosses is one piece, not three; the
        # empty pieces only repeat an end of a real one, so the runs are scored on the real
        # pieces (lambda still counts all 3K pieces).
        keep = np.flatnonzero(hi.reshape(-1) > lo.reshape(-1))
        if keep.size < 3 * k:
            u_mid, u_lo, u_hi, g_lo, g_hi = (a[:, keep] for a in (u_mid, u_lo, u_hi, g_lo, g_hi))
            labels = keep
    # Side by side rather than on a party axis: the same numbers, faster (`party_scores`).
    s_lo, s_hi = [], []
    for i in (0, 1):
        h = obs.party_hurdles(i, u_mid[..., i])
        s_lo.append(obs.party_scores(i, u_lo[..., i], g_lo[..., i], external, h))
        s_hi.append(obs.party_scores(i, u_hi[..., i], g_hi[..., i], external, h))
    lam_piece, feasible = bargaining.nash_on_segments(
        s_lo[0], s_hi[0], s_lo[1], s_hi[1], power_b, labels, 3 * k, ignore
    )
    piece = np.clip(np.floor(lam_piece).astype(np.int64), 0, 3 * k - 1)
    frac = lam_piece - piece
    rows = np.arange(n) if m == n else np.zeros(n, dtype=np.int64)
    seg_lo, seg_hi = lo.reshape(m, -1)[rows, piece], hi.reshape(m, -1)[rows, piece]
    lam = piece // 3 + seg_lo + frac * (seg_hi - seg_lo)
    return lam, feasible


class Formulative(Mediating):
    """Formulation: puts a single negotiating text on the table each round."""

    name = "formulative"
    acts_after_settlement = False  # it never withdraws
    drafts_texts = True
    summary = "drafts a single text each round: Nash point on its noisy estimates, tilted by bias"
    sources = ("Fisher 1981 (single negotiating text)", "Nash 1950", "Beardsley et al. 2006")

    Options = TextOptions

    def moves(self, obs: Observation) -> Decision:
        text, framework, _ = draft_nash_text(obs, self.options.framework_after_failures)
        return Decision(text=text, framework=framework)


class Manipulative(Mediating):
    """Manipulation (power mediation): a text plus carrots, sticks and guarantees."""

    name = "manipulative"
    acts_after_settlement = False  # it never withdraws
    drafts_texts = True
    summary = "drafts texts and backs them with carrots, threatened sticks and guarantees"
    sources = ("Touval & Zartman 1985", "Beardsley et al. 2006", "Beardsley 2011")

    @dataclass(frozen=True)
    class Options(TextOptions):
        carrot_value: float = param(
            0.1, bounds=(0.0, 1.0), doc="Largest side payment at full leverage (stakes units)."
        )
        threat_intensity: float = param(
            1.0, bounds=(0.0, 1.0), doc="Share of its leverage put behind a threat."
        )
        margin: float = param(
            0.02, bounds=(0.0, 1.0), doc="Safety margin it adds when sizing a carrot."
        )

    def moves(self, obs: Observation) -> Decision:
        text, framework, _ = draft_nash_text(
            obs, self.options.framework_after_failures, external=obs.guarantee
        )
        return backed_text(obs, text, framework, self.options)


def backed_text(obs: Observation, text: np.ndarray, framework: np.ndarray, opts: Any) -> Decision:
    """A text backed by carrots sized to each side's expected shortfall (capped by leverage)
    and by threats against whoever is still expected to balk, plus the mediator's guarantee.
    `opts` needs carrot_value, threat_intensity and margin. Runs without a text (a NaN row)
    get neither carrots nor threats."""
    n = text.shape[0]
    guarantee = np.broadcast_to(np.asarray(obs.guarantee, dtype=float), (n,)).copy()
    carrots, threats = np.zeros((n, 2)), np.zeros((n, 2))
    drafted = np.flatnonzero(~_any_nan(text))
    if drafted.size:
        seen = obs if drafted.size == n else obs.subset(drafted)
        seen = seen.for_framework(np.asarray(framework, dtype=bool)[drafted])
        carrot, threat = _inducements(seen, _rows.take(text, drafted), opts)
        _rows.put(carrots, drafted, carrot)
        _rows.put(threats, drafted, threat)
    return Decision(
        text=text, framework=framework, carrots=carrots, threats=threats, guarantee=guarantee
    )


def _any_nan(text: np.ndarray) -> np.ndarray:
    """Rows of `text` (R, K) with a NaN: np.isnan(text).any(axis=1), issue by issue (numpy
    reduces a short inner axis several times slower than it combines K columns)."""
    if text.shape[1] == 0:
        return np.zeros(text.shape[0], dtype=bool)
    out = np.isnan(text[:, 0])
    for k in range(1, text.shape[1]):
        out |= np.isnan(text[:, k])
    return out


def _inducements(obs: Observation, text: np.ndarray, opts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Carrots and threats (R, 2) for texts drafted in every run of `obs`."""
    n = text.shape[0]
    guarantee = np.broadcast_to(np.asarray(obs.guarantee, dtype=float), (n,))
    utility, enforcement = obs.space.evaluate(obs.space.progress(text))
    score = obs.scores(utility, enforcement, guarantee)
    pi = bargaining.compliance(obs.trust, enforcement, pair(guarantee))
    # A carrot c is worth pi * w * c on the score: it is paid only if the deal holds, and a
    # side believes the promise only as far as w (its trust in the mediator times the
    # mediator's credibility, §3.9). The mediator promises what closes the gap, up to what
    # its leverage allows.
    worth = np.maximum(obs.carrot_worth(), 1e-9)
    shortfall = -score / np.maximum(pi, 1e-9) / worth
    leverage = np.broadcast_to(sides(obs.leverage, n), (n, 2))
    carrots = np.clip(shortfall + opts.margin, 0.0, leverage * opts.carrot_value)
    # Threaten whoever it still expects to balk after the carrot.
    threats = np.where(shortfall + opts.margin > carrots, 1.0, 0.0)
    threats *= opts.threat_intensity * (leverage > 0)
    return carrots, threats


# The strategies of this module, registered by sim.model.strategies.registry.
STRATEGIES: tuple[type[Strategy], ...] = (NoMediator, Facilitative, Formulative, Manipulative)
