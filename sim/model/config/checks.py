"""The checks that span sections of a scenario, and its `provenance:` section.

The schema builder (sim.schema) checks each field on its own; these check that the names
agree across the file, and that each provenance entry documents a value the scenario has.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from sim import schema
from sim.errors import ConfigError
from sim.model.config.scenario import (
    MAX_INDIVISIBLE,
    MAX_MEMBERS,
    ROLES,
    Mediator,
    Scenario,
    Source,
)

_LEAD = "a party that leads its camp (its members are reached through it)"


def _check_recess(options: Mapping[str, Any], path: str) -> None:
    """Each recess round listed once: a round given twice is a slip (a typo for another
    round) that the run would otherwise hide. Rounds past the horizon are accepted, so that a
    case can be run over a shorter horizon as it stands."""
    seen: set[int] = set()
    for i, r in enumerate(options.get("recess_rounds") or ()):
        if r in seen:
            raise ConfigError(f"{path}.recess_rounds[{i}]", r, "each round listed once")
        seen.add(r)


def cross_check(sc: Scenario) -> None:
    """Checks that span sections: names must agree across the file (in this order, so
    that the first fault of a file is the one reported)."""
    _check_parties(sc)
    # Only a camp's lead is named by an issue, the mediator or a stakeholder: its members
    # are reached through it (docs/model.md §3.15).
    names = [sc.a, sc.b]
    _check_issues(sc, names)
    if not is_month(sc.start):
        raise ConfigError("start", sc.start, "a month as YYYY-MM")
    bf = sc.battlefield
    if not bf.control_at_a_victory > bf.control_at_b_victory:
        raise ConfigError(
            "battlefield.control_at_a_victory",
            bf.control_at_a_victory,
            f"a value above battlefield.control_at_b_victory ({bf.control_at_b_victory})",
        )
    ag = sc.agreement
    if bf.initial_state == "frozen" and not (ag.thaw_hazard > 0 or ag.talks_while_frozen):
        raise ConfigError(
            "battlefield.initial_state",
            "frozen",
            "a frozen start only with agreement.thaw_hazard above 0 or "
            "agreement.talks_while_frozen (else nothing could ever happen)",
        )
    if sc.mediator is not None:
        _check_mediator(sc.mediator, names, list(sc.issues), _who(sc))
    _check_stakeholders_and_ranges(sc, list(sc.parties))


def _check_parties(sc: Scenario) -> None:
    """Two camps, A and B, each led by its first party and each with at most
    MAX_MEMBERS others; leads at the table; a position and a weight for every issue."""
    names = list(sc.parties)
    if {p.role for p in sc.parties.values()} != set(ROLES):
        raise ConfigError(
            "parties", names, "two camps: at least one party with role A and one with role B"
        )
    if len(names) > 2 + MAX_MEMBERS:
        raise ConfigError(
            "parties", names, f"at most {2 + MAX_MEMBERS} parties (two leads and their members)"
        )
    for lead in (sc.a, sc.b):
        if not sc.parties[lead].at_table:
            raise ConfigError(
                f"parties.{lead}.at_table",
                False,
                "true: the first party of a camp leads it and signs for it",
            )
        if sc.parties[lead].spoiler_hazard_ratio != 1.0:
            raise ConfigError(
                f"parties.{lead}.spoiler_hazard_ratio",
                sc.parties[lead].spoiler_hazard_ratio,
                "1: a camp's lead is at the table, and only a member kept out of the talks "
                "spoils what is signed",
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


def _check_issues(sc: Scenario, names: list[str]) -> None:
    """What an issue names (the parties it assures) and what it needs when deferrable or
    indivisible."""
    for iname, issue in sc.issues.items():
        _check_party_keys(issue.assures, f"issues.{iname}.assures", names, _who(sc))
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


def _who(sc: Scenario) -> str:
    """What a party key must be: any party's name, or a lead's where camps have members."""
    return _LEAD if sc.members else "a party name"


def _check_mediator(med: Mediator, names: list[str], issues: list[str], who: str) -> None:
    """The mediator's parties, issues, strategy, options and schedule."""
    for section in ("leverage", "aid", "sanctions"):
        _check_party_keys(getattr(med, section), f"mediator.{section}", names, who)
    for name, co in med.co_mediators.items():
        for section in ("leverage", "aid", "sanctions"):
            _check_party_keys(
                getattr(co, section), f"mediator.co_mediators.{name}.{section}", names, who
            )
    _check_party_keys(med.guarantee_covers, "mediator.guarantee_covers", issues, "an issue name")
    # Imported here: the strategy registry imports the engine, which imports this module.
    from sim.model.strategies import registry

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


def _check_stakeholders_and_ranges(sc: Scenario, names: list[str]) -> None:
    """Each stakeholder supports a party, a camp member only with what reaches a member;
    each assumption range is [low, high]."""
    for sname, st in sc.stakeholders.items():
        if st.supports not in names:
            raise ConfigError(
                f"stakeholders.{sname}.supports",
                st.supports,
                f"a party name, one of {names}",
                hint=schema.suggest(st.supports, names),
            )
        if st.supports in sc.members:
            # A member bears no sanctions and gets no mediator's aid (§3.15).
            for field in ("cover", "compensates_aid_cut"):
                if getattr(st, field) != 0.0:
                    raise ConfigError(
                        f"stakeholders.{sname}.{field}",
                        getattr(st, field),
                        f"0 for a stakeholder of a camp member ({st.supports}): a member "
                        "bears no sanctions and gets no mediator's aid",
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


def is_month(text: str) -> bool:
    # The single-run story dates every round from it (and there is no year 0).
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    return match is not None and int(match[1]) >= 1 and 1 <= int(match[2]) <= 12


def _check_party_keys(
    mapping: Mapping[str, Any], path: str, names: list[str], what: str = "a party name"
) -> None:
    for key, value in mapping.items():
        if key not in names:
            raise ConfigError(
                f"{path}.{key}", value, f"{what}, one of {names}", hint=schema.suggest(key, names)
            )
