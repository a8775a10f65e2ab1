"""Multi-issue bargaining, vectorised over runs.

- `sim.model.bargaining.space`: the issue space in progress coordinates, utilities, compliance and
  the acceptance score.
- `sim.model.bargaining.paths`: logrolling concession paths and the texts found on them (the first
  and last acceptable, the Nash point).
- `sim.model.bargaining.alternating`: the analytic benchmark of alternating offers (Rubinstein
  1982).

Every public name is available as `sim.model.bargaining.<name>`.
"""

from sim.model.bargaining.alternating import (
    AlternatingOffersOutcome,
    alternating_offers,
    finite_horizon_share,
    play_alternating_offers,
    rubinstein_benchmark,
    rubinstein_error_bound,
    rubinstein_periods,
    rubinstein_share,
)
from sim.model.bargaining.paths import (
    Path,
    concession_path,
    first_acceptable,
    interpolate,
    last_acceptable,
    nash_on_segments,
    nash_point,
    whole_starts,
)
from sim.model.bargaining.seats import Seats
from sim.model.bargaining.space import (
    IssueSpace,
    acceptance_score,
    compliance,
    domestic_hurdle,
    either_holds,
    trust_in_mediator,
    utilities,
)

__all__ = [
    "AlternatingOffersOutcome",
    "IssueSpace",
    "Path",
    "Seats",
    "acceptance_score",
    "alternating_offers",
    "compliance",
    "concession_path",
    "domestic_hurdle",
    "either_holds",
    "finite_horizon_share",
    "first_acceptable",
    "interpolate",
    "last_acceptable",
    "nash_on_segments",
    "nash_point",
    "play_alternating_offers",
    "rubinstein_benchmark",
    "rubinstein_error_bound",
    "rubinstein_periods",
    "rubinstein_share",
    "trust_in_mediator",
    "utilities",
    "whole_starts",
]
