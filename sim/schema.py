"""Build frozen dataclasses from plain YAML data, strictly.

Each field declares its type through annotations and its admissible range through metadata
(`bounds`, `doc`); `build` walks the data and the annotations together, so every error names
the dotted path. Unknown keys are refused with a did-you-mean, ints are not silently taken for
bools, and a string is never coerced to a number.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, get_args, get_origin

from sim.errors import ConfigError

T = TypeVar("T")


def param(
    default: Any = dataclasses.MISSING,
    *,
    bounds: tuple[float | None, float | None] | None = None,
    open_low: bool = False,
    doc: str = "",
    expected: str | None = None,
    per_month: str | None = None,
    fixed: str | None = None,
) -> Any:
    """A dataclass field with a documented meaning and admissible range.

    `expected`, if given, is what an error about the field's own value says was expected
    (in place of the type's or the range's words); errors inside it keep their own.
    `per_month`, if given, says how the value, written for a month, scales to a round of
    another length (`sim.model.params.TIME_SCALINGS`). `fixed`, if given, says why a
    scenario's timeline cannot change the field: it is where the runs start ("start") or it
    shapes the model rather than feeding it ("structure").
    """
    meta: dict[str, Any] = {"bounds": bounds, "open_low": open_low, "doc": doc}
    if expected is not None:
        meta["expected"] = expected
    if per_month is not None:
        meta["per_month"] = per_month
    if fixed is not None:
        meta["fixed"] = fixed
    if isinstance(default, dict):
        frozen = dict(default)
        return dataclasses.field(default_factory=lambda: dict(frozen), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def suggest(name: str, options: typing.Iterable[str]) -> str | None:
    """A "did you mean" hint for a misspelled name, or None."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def strip_optional(tp: Any) -> Any:
    """The type inside an optional one (`X | None` gives `X`); any other type as it is."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return tp


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    # Resolving string annotations is most of the cost of a build; sweeps build thousands.
    return typing.get_type_hints(cls)


def build(cls: type[T], data: Any, path: str = "") -> T:
    """Construct dataclass `cls` from mapping `data`, validating as it goes."""
    if not isinstance(data, Mapping):
        # A class may say what it expects in its own words (a ClassVar MAPPING_EXPECTED).
        expected = getattr(cls, "MAPPING_EXPECTED", None) or f"a mapping of {cls.__name__} settings"
        raise ConfigError(path, data, expected)
    hints = _type_hints(typing.cast(type, cls))
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in data:
        if not isinstance(key, str) or key not in fields:
            raise ConfigError(
                _join(path, str(key)),
                data[key],
                f"one of the keys {sorted(fields)}",
                hint=suggest(str(key), fields),
            )
    values: dict[str, Any] = {}
    for name, field in fields.items():
        sub = _join(path, name)
        if name in data:
            values[name] = convert(hints[name], data[name], sub, field.metadata)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(sub, None, "a value (this key is required)")
    return cls(**values)


def _check_bounds(value: float, path: str, meta: Mapping[str, Any]) -> None:
    bounds = meta.get("bounds") if meta else None
    if bounds is None:
        return
    low, high = bounds
    open_low = bool(meta.get("open_low"))
    too_low = low is not None and (value <= low if open_low else value < low)
    too_high = high is not None and value > high
    if too_low or too_high:
        left = "(" if open_low else "["
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ConfigError(path, value, f"a number in {left}{lo}, {hi}]")


def convert(tp: Any, value: Any, path: str, meta: Mapping[str, Any] | None = None) -> Any:
    """Convert one YAML value to the annotated type, or raise ConfigError at `path`."""
    meta = meta or {}
    if meta.get("expected") is not None:
        own = {k: v for k, v in meta.items() if k != "expected"}  # not for the items
        try:
            return convert(tp, value, path, own)
        except ConfigError as err:
            if err.path != path:
                raise
            raise ConfigError(path, err.value, meta["expected"], hint=err.hint) from None
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = get_args(tp)
        if value is None and type(None) in options:
            return None
        inner = [o for o in options if o is not type(None)]
        if len(inner) == 1:
            return convert(inner[0], value, path, meta)
        raise TypeError(f"unsupported union at {path}")
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            hint = suggest(str(value), [str(a) for a in allowed])
            raise ConfigError(path, value, f"one of {list(allowed)}", hint=hint)
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, value, "true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, value, "an integer")
        if isinstance(value, float) and not value.is_integer():
            raise ConfigError(path, value, "an integer")
        _check_bounds(int(value), path, meta)
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, value, "a number")
        if not math.isfinite(float(value)):
            raise ConfigError(path, value, "a finite number")
        _check_bounds(float(value), path, meta)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(path, value, "a string")
        return value
    if origin in (dict, Mapping) or tp is dict:
        key_tp, val_tp = get_args(tp) or (str, Any)
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise ConfigError(path, value, "a mapping")
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ConfigError(path, k, "string keys")
            out[k] = convert(val_tp, v, _join(path, k), meta)
        return types.MappingProxyType(out)
    if origin in (list, tuple) or tp in (list, tuple):
        (item_tp, *_rest) = get_args(tp) or (Any,)
        if not isinstance(value, list | tuple):
            raise ConfigError(path, value, "a list")
        return tuple(convert(item_tp, v, f"{path}[{i}]", meta) for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        return build(tp, value, path)  # type: ignore[arg-type]
    if tp is Any:
        return value
    raise TypeError(f"unsupported type {tp!r} at {path}")


def related(key: str, path: str) -> str | None:
    """How an override written at dotted path `key` bears on a refused dotted `path`:
    "same", "below" (the key is inside the path: a party or issue the scenario lacks stops
    the path at its name), "above" (the key writes a whole section the path is in), or None."""
    if key == path:
        return "same"
    if key.startswith((f"{path}.", f"{path}[")):
        return "below"
    if path.startswith((f"{key}.", f"{key}[")):
        return "above"
    return None


def to_plain(obj: Any) -> Any:
    """Dataclasses and mapping proxies back to plain dicts and lists (YAML/JSON ready)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [to_plain(v) for v in obj]
    return obj
