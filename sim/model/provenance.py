"""Where each scenario number comes from: facts in seeds/ or a declared assumption."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.model.config import flat_paths, load_scenario, read_yaml

_SKIP = {"provenance", "description", "name"}


@dataclass
class ProvenanceRow:
    path: str
    value: Any
    facts: list[tuple[str, str]]
    assumption: tuple[float, float] | None
    note: str
    default: bool

    @property
    def outside(self) -> bool:
        """A number outside the range its entry declares plausible: either the range or the
        value is probably a slip (an override may put it there on purpose)."""
        if self.assumption is None or isinstance(self.value, bool | str):
            return False
        low, high = self.assumption
        return not low <= self.value <= high


def load_facts(seeds_dir: Path) -> dict[str, str]:
    """All facts in seeds/*.yaml (source articles) and seeds/record/*.yaml (the historical
    record behind the case scenarios), by id."""
    facts: dict[str, str] = {}
    for f in sorted(seeds_dir.glob("*.yaml")) + sorted(seeds_dir.glob("record/*.yaml")):
        data = read_yaml(f)
        for i, item in enumerate((data or {}).get("facts", [])):
            if not isinstance(item, dict) or "id" not in item:
                raise ConfigError(f"facts[{i}]", item, "a fact with an id", file=str(f))
            facts[item["id"]] = " ".join(str(item.get("fact", "")).split())
    return facts


def leaves(data: Any) -> list[tuple[str, Any]]:
    """Numeric, boolean and string leaves of nested scenario data, as (dotted path, value);
    no description, and not the scenario's name or its provenance section."""
    return [
        (path, value)
        for path, value in flat_paths(data).items()
        if isinstance(value, int | float | str)  # bool is an int: kept too
        and path not in _SKIP
        and "description" not in path.replace("[", ".").split(".")
    ]


def _source_for(path: str, provenance: dict[str, Any]) -> tuple[str, Any] | None:
    """The entry for a value: its own, or the nearest above it (a section, or a list whose
    items are the value's neighbours)."""
    while path:
        if path in provenance:
            return path, provenance[path]
        path = path[: path.rindex("[")] if path.endswith("]") else path.rpartition(".")[0]
    return None


def find_seeds(scenario_path: str | Path) -> Path:
    """The seeds/ folder of the nearest folder above the scenario that has one, so that
    configs/x.yaml and configs/cases/x.yaml both find the project's seeds/."""
    here = Path(scenario_path).resolve().parent
    for folder in (here, *here.parents):
        if (folder / "seeds").is_dir():
            return folder / "seeds"
    return here.parent / "seeds"  # missing: reported by the caller


def provenance_rows(scenario_path: str, seeds: str | None = None) -> list[ProvenanceRow]:
    scenario = load_scenario(scenario_path)
    scenario_path = str(scenario.source_file)  # a shipped scenario's name, found
    seeds_dir = Path(seeds) if seeds else find_seeds(scenario_path)
    if not seeds_dir.is_dir():
        raise ConfigError("--seeds", str(seeds_dir), "a folder of fact files (seeds/*.yaml)")
    facts = load_facts(seeds_dir)
    raw = read_yaml(scenario_path)
    given = {p for p, _ in leaves(raw)}
    prov = {k: v for k, v in scenario.provenance.items()}
    rows = []
    for path, value in leaves(scenario.to_dict()):
        if isinstance(value, str) and path not in given:
            continue
        found = _source_for(path, prov)
        source_path, src = found if found is not None else ("", None)
        fact_list = []
        if src is not None:
            for fid in src.facts:
                if fid not in facts:
                    raise ConfigError(
                        f"provenance.{source_path}.facts",
                        fid,
                        f"a fact id present in {seeds_dir}",
                        file=scenario_path,
                    )
                fact_list.append((fid, facts[fid]))
        rows.append(
            ProvenanceRow(
                path=path,
                value=value,
                facts=fact_list,
                assumption=tuple(src.assumption) if src is not None and src.assumption else None,
                note=src.note if src is not None else "",
                default=path not in given,
            )
        )
    return rows
