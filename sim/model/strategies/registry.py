"""Registry of mediator strategies: explicit `register` for the built-in ones, the
`negsim.strategies` entry-point group for installed plugins, and `module:Class` for outside
code, which is imported only with the user's consent (docs/cli.md, "Code from a data file").

The registry sits above the strategies it lists: it imports them, they never import it.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from sim import schema
from sim.errors import ConfigError
from sim.model.strategies.base import Strategy
from sim.model.strategies.builtin import STRATEGIES as BUILTIN
from sim.model.strategies.catalogue import STRATEGIES as CATALOGUE

_REGISTRY: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Register a strategy class under its `name` (usable as a decorator)."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a non-empty `name`")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"strategy name {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


for _builtin in (*BUILTIN, *CATALOGUE):
    register(_builtin)


# A name in a scenario is data, and importing a module runs its code: a 'module:Class' name is
# imported only when the user has said so, for this process and the workers it starts.
ALLOW_IMPORT_ENV = "NEGSIM_ALLOW_IMPORT"
ENTRY_POINT_GROUP = "negsim.strategies"
_MODULE_CLASS = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")


def imports_allowed() -> bool:
    """Whether a 'module:Class' strategy named in a file may be imported."""
    return os.environ.get(ALLOW_IMPORT_ENV, "") not in ("", "0")


def allow_imports() -> None:
    """Consent to import the modules that scenario files name as 'module:Class' (the
    command line's --allow-import). Kept in the environment, so workers inherit it."""
    os.environ[ALLOW_IMPORT_ENV] = "1"


@functools.cache
def _plugins() -> dict[str, EntryPoint]:
    """Installed plugins: `[project.entry-points."negsim.strategies"] name = "pkg.mod:Class"`."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def names() -> list[str]:
    return sorted(set(_REGISTRY) | set(_plugins()))


def get(name: str, path: str = "mediator.strategy") -> type[Strategy]:
    """Look up a strategy class by registry key, installed plugin name, or (with consent)
    'package.module:ClassName'."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    if name in _plugins():
        return _checked(_load(_plugins()[name].value, path), name, path)
    if ":" not in name:
        raise ConfigError(
            path,
            name,
            f"a registered strategy, one of {names()}",
            hint=schema.suggest(name, names()),
        )
    if not _MODULE_CLASS.fullmatch(name):
        raise ConfigError(path, name, "a registered strategy name, or 'package.module:Class'")
    if not imports_allowed():
        raise ConfigError(
            path,
            name,
            "a registered strategy name; importing 'module:Class' runs that module's code, so "
            f"it needs --allow-import (or {ALLOW_IMPORT_ENV}=1)",
        )
    return _checked(_load(name, path), name, path)


def _load(target: str, path: str) -> Any:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # whatever the module raises while it is imported
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise ConfigError(path, target, f"an importable 'module:Class' ({reason})") from None
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ConfigError(path, target, f"a class {attr} in module {module_name}") from None


def _checked(cls: Any, name: str, path: str) -> type[Strategy]:
    if not (isinstance(cls, type) and issubclass(cls, Strategy)) or cls is Strategy:
        raise ConfigError(path, name, "a subclass of sim.model.strategies.Strategy")
    if cls.decide is Strategy.decide:
        raise ConfigError(path, name, "a strategy that defines decide(observation)")
    return cls


def make(name: str, options: Mapping[str, Any] | None = None, path: str = "mediator") -> Strategy:
    """Instantiate a strategy with validated options."""
    cls = get(name, f"{path}.strategy")
    opts = schema.build(cls.Options, dict(options or {}), f"{path}.options")
    return cls(opts)
