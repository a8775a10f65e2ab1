"""Several parties in two camps (docs/model.md §3.15): members' forces, consent, departure
from the war, spoiling, the Nash text over every signatory, and the tables that report
them."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import simulate
from sim.errors import ConfigError
from sim.experiments.simulate import replay
from sim.model.config import Scenario, scenario_from_dict
from sim.model.outcomes import outcome_labels
from sim.model.shell import NegotiationModel
from sim.reports.results import summarise
from sim.reports.story import story
from tests.conftest import negsim

RUNS = 3000
SEED = 3

BASE: dict[str, Any] = {
    "name": "three parties",
    "start": "2000-01",
    "horizon": 48,
    "issues": {"territory": {}, "status": {}},
    "parties": {
        "north": {
            "role": "A",
            "ideal": {"territory": 1.0, "status": 1.0},
            "salience": {"territory": 0.6, "status": 0.4},
        },
        "rebels": {
            "role": "A",
            "ideal": {"territory": 1.0, "status": 1.0},
            "salience": {"territory": 0.3, "status": 0.7},
            "capacity": 0.3,
        },
        "south": {
            "role": "B",
            "ideal": {"territory": 0.0, "status": 0.0},
            "salience": {"territory": 0.5, "status": 0.5},
        },
    },
    "mediator": {"strategy": "formulative"},
}


def _scenario(rebels: dict[str, Any] | None = None, **top: Any) -> Scenario:
    data = copy.deepcopy(BASE)
    data["parties"]["rebels"].update(rebels or {})
    data.update(top)
    return scenario_from_dict(data)


def _two_parties() -> Scenario:
    data = copy.deepcopy(BASE)
    del data["parties"]["rebels"]
    return scenario_from_dict(data)


def _table(sc: Scenario, runs: int = RUNS) -> pd.DataFrame:
    return simulate(sc, runs=runs, seed=SEED).table


def _settled(table: pd.DataFrame) -> np.ndarray:
    return table["settlement_round"].notna().to_numpy(dtype=float)


def _clearly_above(high: np.ndarray, low: np.ndarray) -> bool:
    """Paired runs on common draws: the mean gap is positive, four standard errors out."""
    gap = high - low
    return bool(gap.mean() > 4 * gap.std(ddof=1) / np.sqrt(gap.size))


def test_a_member_at_the_table_is_one_more_veto_player():
    """Every text needs the member's consent too, so fewer texts are signed than when it is
    kept out of the talks (Tsebelis 2002; Cunningham 2006)."""
    seated = _settled(_table(_scenario()))
    out = _settled(_table(_scenario({"at_table": False})))
    assert _clearly_above(out, seated)


def test_the_mediator_drafts_for_every_signatory():
    """A member of A's camp more demanding than its lead pulls the mediator's texts toward
    A's ideal: the Nash product weighs it too."""
    hard = {"salience": {"territory": 0.5, "status": 0.5}, "trust": 0.5}
    model = NegotiationModel(_scenario(hard), runs=500, seed=SEED, trace=True)
    model.step()
    seated = model.engine.records[0].talks.text
    model = NegotiationModel(
        _scenario({**hard, "at_table": False}), runs=500, seed=SEED, trace=True
    )
    model.step()
    alone = model.engine.records[0].talks.text
    both = ~np.isnan(seated).any(axis=1) & ~np.isnan(alone).any(axis=1)
    assert both.sum() > 100
    assert np.mean(seated[both].sum(axis=1)) > np.mean(alone[both].sum(axis=1)) + 0.01


def test_a_members_forces_fight_for_its_camp():
    """A camp's capacity includes its members': the stronger the member, the further A's
    camp advances, run by run on the same draws (no talks, to watch the front alone)."""
    weak = _table(_scenario({"capacity": 0.05}, mediator=None), runs=1000)
    strong = _table(_scenario({"capacity": 1.0}, mediator=None), runs=1000)
    gain = strong["final_control"].to_numpy() - weak["final_control"].to_numpy()
    assert gain.mean() > 0.05


def test_a_member_past_its_breaking_point_leaves_the_war_and_the_talks():
    quits = {"breaking_point": 0.05, "cost_per_month": 0.01}
    table = _table(_scenario(quits, mediator=None), runs=500)
    left = table["exit_round_rebels"]
    # 0.05 / 0.01: its fifth month of war is its last, in the runs still at war then.
    assert (left == 5).mean() > 0.5 and (left.dropna() >= 5).all()
    first = int(np.flatnonzero((left == 5).fillna(False).to_numpy(dtype=bool))[0])
    told = story(replay(_scenario(quits, mediator=None), SEED, first), first)
    before = told.split(">> rebels leaves the war")[0].splitlines()
    assert [line for line in before if line.startswith("round")][-1].startswith("round  5")
    summary = summarise(table, seed=SEED, horizon=48)
    assert summary.left_war == {"rebels": int(left.notna().sum())}
    assert summary.to_dict()["left_war_shares"] == {"rebels": left.notna().mean()}
    # Gone from the war, it no longer needs to consent: more texts are signed than when
    # it stays at the table.
    assert _clearly_above(_settled(_table(_scenario(quits))), _settled(_table(_scenario())))


def test_a_spoiler_outside_the_talks_makes_what_is_signed_collapse_more():
    """Stedman 1997: a party left out that expects more from fighting (here, a payoff of
    its own from the war) attacks the peace."""
    out = {"at_table": False, "domestic": {"payoff_of_fighting": 0.5}}
    calm = _table(_scenario(out))
    spoiled = _table(_scenario({**out, "spoiler_hazard_ratio": 5.0}))
    assert np.array_equal(calm["settlement_round"].isna(), spoiled["settlement_round"].isna())
    settled = calm["settlement_round"].notna()
    assert settled.sum() > 300
    collapsed = (spoiled["collapse_round"].notna() & settled).sum()
    assert collapsed > 1.5 * (calm["collapse_round"].notna() & settled).sum()


def test_a_member_brought_to_the_table_by_the_timeline():
    """Kept out until a date, then seated: fewer settlements after the date than if it stays
    out, the same before."""
    join = [{"at": "2001-01", "set": {"parties.rebels.at_table": True}}]
    joins = _table(_scenario({"at_table": False}, timeline=join))
    stays_out = _table(_scenario({"at_table": False}))
    early = lambda t: (t["settlement_round"] <= 12).fillna(False).to_numpy()  # noqa: E731
    assert np.array_equal(early(joins), early(stays_out))
    assert _clearly_above(_settled(stays_out), _settled(joins))


def test_a_run_of_a_three_party_scenario_replays_alone():
    sc = _scenario()
    table = _table(sc, runs=200)
    for i in (0, 17, 123):
        model = replay(sc, SEED, i)
        assert model.engine.state.members.exit_round[0, 0] == (
            -1
            if pd.isna(table["exit_round_rebels"].iloc[i])
            else table["exit_round_rebels"].iloc[i]
        )
        assert model.engine.state.agreement.first_round[0] == (
            -1 if pd.isna(table["settlement_round"].iloc[i]) else table["settlement_round"].iloc[i]
        )


def test_a_run_replays_alone_whether_or_not_its_member_left_the_war():
    """Runs whose member left are drafted the two-party text, those with it at the table
    the signatories' text, each as it would be alone."""
    sc = _scenario({"breaking_point": 0.08, "cost_per_month": 0.01})
    table = _table(sc, runs=300)
    left = table["exit_round_rebels"].notna().to_numpy()
    assert 0.2 < left.mean() < 0.8
    for i in [*np.flatnonzero(left)[:15], *np.flatnonzero(~left)[:5]]:
        model = replay(sc, SEED, int(i))
        row = table.iloc[i]
        state = model.engine.state
        labels = outcome_labels(model.engine.p.party_names)
        assert str(row["outcome"]) == labels[int(state.status[0])]
        assert state.agreement.first_round[0] == (
            -1 if pd.isna(row["settlement_round"]) else row["settlement_round"]
        )
        assert np.allclose(
            state.agreement.terms[0],
            row[["terms_territory", "terms_status"]].to_numpy(float),
            equal_nan=True,
        )


def test_points_stacked_in_one_batch_give_the_tables_they_give_alone():
    from sim.experiments.simulate import simulate_points

    out, seated = _scenario({"at_table": False}), _scenario()
    tables = simulate_points([out, seated], 300, seed=SEED)
    for sc, stacked in zip((out, seated), tables, strict=True):
        alone = simulate(sc, runs=300, seed=SEED).table
        pd.testing.assert_frame_equal(stacked.reset_index(drop=True), alone)


def test_two_parties_have_no_member_columns():
    table = _table(_two_parties(), runs=50)
    assert not [c for c in table.columns if c.startswith("exit_round_")]
    assert "left_war" not in summarise(table, seed=SEED, horizon=48).to_dict()


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        (
            {"mediator": {"strategy": "manipulative", "leverage": {"rebels": 0.5}}},
            "mediator.leverage.rebels",
            "leads its camp",
        ),
        ({"parties.rebels.role": "C"}, "parties.rebels.role", "one of"),
        ({"parties.north.at_table": False}, "parties.north.at_table", "leads it"),
        (
            {"parties.north.spoiler_hazard_ratio": 2.0},
            "parties.north.spoiler_hazard_ratio",
            "only a member",
        ),
        (
            {"stakeholders": {"x": {"supports": "rebels", "cover": 0.5}}},
            "stakeholders.x.cover",
            "bears no sanctions",
        ),
        ({"issues.territory.assures": {"rebels": 0.2}}, "issues.territory.assures.rebels", "leads"),
    ],
)
def test_what_only_a_lead_can_be_is_refused_for_a_member(change, path, expected):
    data = copy.deepcopy(BASE)
    for key, value in change.items():
        node = data
        *parents, last = key.split(".")
        for step in parents:
            node = node[step]
        node[last] = value
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(data)
    assert err.value.path == path
    assert expected in str(err.value)


def test_too_many_parties_and_a_missing_camp_are_refused():
    data = copy.deepcopy(BASE)
    for i in range(9):
        data["parties"][f"m{i}"] = copy.deepcopy(data["parties"]["rebels"])
    with pytest.raises(ConfigError, match="at most 10 parties"):
        scenario_from_dict(data)
    data = copy.deepcopy(BASE)
    data["parties"]["south"]["role"] = "A"
    with pytest.raises(ConfigError, match="two camps"):
        scenario_from_dict(data)


def test_the_commands_report_camps_and_members(tmp_path):
    """compare, sweep, sensitivity and plot on a three-party scenario: outcome shares per
    camp (a lead's capitulation is its camp's) and each member's departure from the war."""
    scenario = tmp_path / "three.yaml"
    data = copy.deepcopy(BASE)
    data["parties"]["rebels"].update({"breaking_point": 0.1, "cost_per_month": 0.01})
    scenario.write_text(yaml.safe_dump(data))
    (tmp_path / "sweep.yaml").write_text(
        "name: s\nbase: three.yaml\nruns_per_point: 100\n"
        "parameters:\n  parties.rebels.capacity: [0.1, 0.5]\n"
    )
    (tmp_path / "sens.yaml").write_text(
        "description: s\nbase: three.yaml\nmethod: sobol\nsamples: 4\nruns_per_point: 16\n"
        "parameters:\n  parties.rebels.trust: {range: [0.1, 0.9]}\n"
        "  parties.south.capacity: {range: [0.5, 1.5]}\n"
    )
    compare = negsim(
        "compare", str(scenario), "--strategies", "none,formulative", "--runs", "200",
        "--out", str(tmp_path / "cmp"), cwd=tmp_path,
    )  # fmt: skip
    assert compare.returncode == 0, compare.stderr
    assert "left_rebels" in compare.stdout
    table = pd.read_parquet(tmp_path / "cmp" / "summary.parquet")
    assert {"share_capitulation_north", "share_capitulation_south", "share_left_rebels"} <= set(
        table.columns
    )
    sweep = negsim("sweep", "sweep.yaml", "--out", "sw", cwd=tmp_path)
    assert sweep.returncode == 0, sweep.stderr
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    assert (summary["share_left_rebels"] > 0).all()
    sens = negsim("sensitivity", "sens.yaml", "--out", "sens", cwd=tmp_path, timeout=300)
    assert sens.returncode == 0, sens.stderr
    for folder in ("cmp", "sw", "sens"):
        plot = negsim("plot", folder, cwd=tmp_path)
        assert plot.returncode == 0, plot.stderr


def _patron(**stakeholder: Any) -> dict[str, Any]:
    return {"stakeholders": {"patron": {"supports": "rebels", "aid": 0.3, **stakeholder}}}


HARD_LINE = {"salience": {"territory": 0.9, "status": 0.1}, "trust": 0.2}


def test_a_members_patron_arms_it_for_its_camp():
    bare = _table(_scenario(HARD_LINE, mediator=None), runs=1000)
    armed = _table(_scenario(HARD_LINE, mediator=None, **_patron()), runs=1000)
    gain = armed["final_control"].to_numpy() - bare["final_control"].to_numpy()
    assert gain.mean() > 0.02


def test_a_patrons_pressure_brings_its_member_to_sign():
    """The patron stakes its aid on its client's signing the mediator's text (§3.10). The
    first round's texts and draws are the same with and without the pressure: the member's
    camp accepts every text it accepted without it, and more."""

    def first_round(**stakeholder: Any) -> tuple[np.ndarray, np.ndarray]:
        sc = _scenario(HARD_LINE, **_patron(**stakeholder))
        model = NegotiationModel(sc, runs=RUNS, seed=SEED, trace=True)
        model.step()
        talks = model.engine.records[0].talks
        return talks.text, talks.accept[:, 0]

    texts, free = first_round()
    same_texts, pressed = first_round(pressure=1.0, follow_through=1.0)
    assert np.array_equal(texts, same_texts, equal_nan=True)
    assert (pressed >= free).all()
    assert pressed.mean() > free.mean() + 0.02


def test_a_patron_that_follows_through_cuts_its_members_aid_after_a_refusal():
    def aid_after_one_round(follow_through: float) -> np.ndarray:
        sc = _scenario(HARD_LINE, **_patron(pressure=0.5, follow_through=follow_through))
        model = NegotiationModel(sc, runs=1000, seed=SEED)
        model.step()
        return model.engine.state.members.aid[:, 0]

    cut = aid_after_one_round(1.0)
    assert set(np.round(cut, 12)) == {0.3, 0.15}
    assert (aid_after_one_round(0.0) == 0.3).all()


def test_a_stakeholder_protecting_a_member_vetoes_texts_below_its_floor():
    vetoed = _table(_scenario(HARD_LINE, **_patron(veto_utility_floor=0.99)), runs=500)
    assert vetoed["settlement_round"].notna().sum() == 0


def test_a_member_at_the_table_signs_the_ceasefire_too():
    """The first round's offers and the leads' draws are the same: a ceasefire that needs
    the member's signature as well is signed in fewer runs, never in more."""

    def first_round(member: dict[str, Any]) -> np.ndarray:
        sc = _scenario(member, mediator={"strategy": "ceasefire_first"})
        model = NegotiationModel(sc, runs=RUNS, seed=SEED, trace=True)
        model.step()
        return model.engine.records[0].talks.ceasefire_accept.all(axis=1)

    distrust = {"trust": 0.0, "exploitation_loss": 0.5}
    seated = first_round(distrust)
    out = first_round({**distrust, "at_table": False})
    assert (seated <= out).all()
    assert seated.mean() < out.mean() - 0.02


def test_a_member_that_would_no_longer_sign_breaks_the_ceasefire():
    """Once a ceasefire stands, a member at the table that comes to fear it more (here, a
    larger loss should the other camp use the pause, from the fourth month) breaks it, as a
    lead would (§3.8); the first three months are the same run by run."""
    mediator = {"strategy": "ceasefire_first"}
    lure = [{"at": "2000-04", "set": {"parties.rebels.exploitation_loss": 1.0}}]
    calm = _table(_scenario({"trust": 0.1}, mediator=mediator))
    lured = _table(_scenario({"trust": 0.1}, mediator=mediator, timeline=lure))
    first = calm["first_ceasefire_round"].fillna(-1).to_numpy()
    signed = (first > 0) & (first <= 3)
    assert signed.sum() > 300
    assert np.array_equal(first[signed], lured["first_ceasefire_round"].fillna(-1)[signed])
    broke = lambda t: t["ceasefire_breaches"].to_numpy(dtype=float)  # noqa: E731
    assert _clearly_above(broke(lured), broke(calm))
