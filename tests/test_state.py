"""The run state: a party axis of any length, and taking runs out and putting them back."""

from __future__ import annotations

import numpy as np

from sim.model.outcomes import OUTCOMES, Status
from sim.model.state import RunState, absorbing


def _state(runs: int = 6, parties: int = 3, issues: int = 2) -> RunState:
    return RunState.blank(np.arange(runs, dtype=np.int64), parties, issues)


def test_the_party_axis_has_the_length_it_is_given() -> None:
    for parties in (2, 3, 5):
        st = _state(parties=parties)
        assert st.parties.trust.shape == (6, parties)
        assert st.parties.final_utility.shape == (6, parties)
        assert st.ceasefire.disposition.shape == (6, parties)
        assert st.agreement.terms.shape == (6, 2)
        assert st.mediation.credibility.shape == (6,)


def test_a_part_writes_back_what_a_phase_changed_and_nothing_else() -> None:
    st = _state()
    st.parties.trust[:] = 0.5
    rows = np.array([1, 4])
    part = st.take(rows)
    part.parties.trust *= 2.0  # read, then changed
    part.agreement.count += 3
    part.status[:] = Status.FROZEN
    # Arrays never read are not copied, so they cannot be written back.
    assert "front" not in part.__dict__
    assert "exhaustion" not in part.parties.__dict__
    st.put(rows, part)
    np.testing.assert_array_equal(st.parties.trust[:, 0], [0.5, 1.0, 0.5, 0.5, 1.0, 0.5])
    np.testing.assert_array_equal(st.agreement.count, [0, 3, 0, 0, 3, 0])
    np.testing.assert_array_equal(st.status, [0, 4, 0, 0, 4, 0])


def test_a_copy_of_some_runs_is_independent() -> None:
    st = _state()
    copy = st.copy_of(np.array([0, 2]))
    copy.parties.exhaustion += 1.0
    assert copy.n == 2 and (st.parties.exhaustion == 0.0).all()


def test_absorbing_follows_the_outcome_table() -> None:
    codes = np.arange(len(OUTCOMES), dtype=np.int8)
    np.testing.assert_array_equal(absorbing(codes), [o.absorbing for o in OUTCOMES])
    assert [s.name for s in Status] == [o.name for o in OUTCOMES]
