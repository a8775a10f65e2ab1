"""Registry of mediator strategies: explicit `register`, lazy `module:Class` for outside code."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from sim import schema
from sim.errors import ConfigError
from sim.strategies.base import Strategy

_REGISTRY: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Register a strategy class under its `name` (usable as a decorator)."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a non-empty `name`")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"strategy name {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    _ensure_builtins()
    return sorted(_REGISTRY)


def get(name: str, path: str = "mediator.strategy") -> type[Strategy]:
    """Look up a strategy class by registry key or by 'package.module:ClassName'."""
    _ensure_builtins()
    if name in _REGISTRY:
        return _REGISTRY[name]
    if ":" in name:
        module_name, _, attr = name.partition(":")
        try:
            module = importlib.import_module(module_name)
            cls = getattr(module, attr)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(path, name, f"an importable 'module:Class' ({exc})") from None
        if not (isinstance(cls, type) and issubclass(cls, Strategy)):
            raise ConfigError(path, name, "a subclass of sim.strategies.Strategy")
        return cls
    raise ConfigError(
        path, name, f"a registered strategy, one of {names()}", hint=schema.suggest(name, names())
    )


def make(name: str, options: Mapping[str, Any] | None = None, path: str = "mediator") -> Strategy:
    """Instantiate a strategy with validated options."""
    cls = get(name, f"{path}.strategy")
    opts = schema.build(cls.Options, dict(options or {}), f"{path}.options")
    return cls(opts)


def _ensure_builtins() -> None:
    # Importing the module registers the built-in strategies (explicit register() calls).
    from sim.strategies import builtin, catalogue  # noqa: F401
