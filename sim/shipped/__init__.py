"""What ships with negsim: scenarios, experiment specs, validation checks and source facts.

The folders live at the repository root (`configs/`, `experiments/`, `validation/`,
`seeds/`), and a wheel carries them inside this package (pyproject.toml maps each one to
`sim/shipped/<folder>`), with the same relative layout, so that the relative paths the files
write to each other (`base: ../configs/ukraine_2025.yaml`) hold in both. A command given a
bare name (`negsim run ukraine_2025`) finds the shipped file of that name from any directory;
a path is always taken as a path.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.errors import ConfigError
from sim.schema import suggest

_HERE = Path(__file__).resolve().parent

# What each kind of shipped file is, where it lives, and the command that lists it.
_KINDS = {
    "scenario": "configs",
    "spec": "experiments",
}
LISTED_BY = "negsim scenarios"


def root() -> Path:
    """The folder that holds configs/, experiments/, validation/ and seeds/: this package
    when installed from a wheel, the repository root in a checkout (or an editable install)."""
    return _HERE if (_HERE / "configs").is_dir() else _HERE.parent.parent


def folder(name: str) -> Path:
    """One of the shipped folders: configs, experiments, validation or seeds."""
    return root() / name


def names(kind: str) -> dict[str, Path]:
    """Shipped files of one kind ("scenario" or "spec") by name (the file's stem)."""
    base = folder(_KINDS[kind])
    return {f.stem: f for f in sorted(base.rglob("*.yaml"))}


def _is_name(text: str) -> bool:
    return "/" not in text and "\\" not in text and not text.endswith((".yaml", ".yml"))


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system, say: no such file either way
        return False


def is_file(path: Path) -> bool:
    """`path.is_file()`, false (not an error) for a name the file system cannot hold."""
    try:
        return path.is_file()
    except OSError:
        return False


def locate(kind: str, path: str | Path) -> Path:
    """`path` itself if it exists or is not a bare name; otherwise the shipped file of that
    name (relative to the current directory when it lies below it, as a path typed there
    would be). A bare name that is neither is returned as given, for `not_found`."""
    given = Path(path)
    if _exists(given) or not _is_name(str(path)):
        return given
    found = names(kind).get(str(path))
    if found is None:
        return given
    try:
        return found.relative_to(Path.cwd().resolve())
    except ValueError:
        return found


def beside(file: str | Path, value: str, kind: str = "scenario") -> Path:
    """A path written inside a file (a spec's `base`, a check's `scenario`): relative to
    that file, or the bare name of a shipped file when nothing of that name is there."""
    path = Path(value)
    if not path.is_absolute():
        path = Path(os.path.normpath(Path(file).parent / path))
    if not _exists(path) and _is_name(value):
        return names(kind).get(value, path)
    return path


def not_found(kind: str, path: str | Path, what: str) -> ConfigError:
    """The one-line error for a missing file: `what` (e.g. "an existing scenario file") or
    the name of a shipped one, with a did-you-mean for a misspelt name."""
    text = str(path)
    close = suggest(text, names(kind)) if _is_name(text) else None
    expected = f"{what}, or the name of a shipped one ({LISTED_BY} lists them)"
    return ConfigError("", text, expected, file=text, hint=close)
