"""Reading YAML safely: no Python objects, no duplicate keys, no dates, and limits on
nesting and on aliases, so that no file or `--set` value can stop a command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ConfigError


def _check_duplicate_keys(
    loader: yaml.SafeLoader, node: yaml.Node, path: str, seen_nodes: set[int] | None = None
) -> None:
    """Refuse a key given twice in one mapping: YAML keeps the last silently, so a value
    the author thinks is set (the first, read up the page) would not be the one used."""
    # An alias brings a node back (even into itself): each is checked once.
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(loader, item, f"{path}[{i}]", seen_nodes)
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[str, int] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        where = f"{path}.{key.value}" if path else str(key.value)
        if key.value in seen:
            shown = loader.construct_object(value) if isinstance(value, yaml.ScalarNode) else None
            raise ConfigError(
                where,
                shown if shown is not None else f"<given again at line {key.start_mark.line + 1}>",
                f"each key once in a mapping (duplicate key: it is also at line "
                f"{seen[key.value]}, and only the last would count)",
            )
        seen[key.value] = key.start_mark.line + 1
        _check_duplicate_keys(loader, value, where, seen_nodes)


# What a YAML file or a --set value may hold (docs/cli.md, "Limits"). The shipped files nest
# at most 7 levels and hold a few thousand values; a file far past these is refused as it is
# read, before anything is built from it, so that neither deep nesting (the stack) nor aliases
# that expand exponentially ("billion laughs": memory, time) can stop a command.
MAX_DEPTH = 64
MAX_VALUES = 100_000

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python objects), with three departures:

    - composing stops at MAX_DEPTH levels of nesting, before Python's own stack would;
    - a date stays text: no value of a scenario or a spec is a date object, and one would
      reach the tables, the manifest and JSON, which have no place for it;
    - `5e-1` is a number, as a user who types it means (YAML 1.1 wants a dot: `5.0e-1`).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise ConfigError(
                    "",
                    f"<nesting deeper than {MAX_DEPTH} levels at line {line}>",
                    f"at most {MAX_DEPTH} levels of mappings and lists inside each other",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _check_size(node: yaml.Node) -> None:
    """Refuse a document whose aliases expand past MAX_VALUES values or MAX_DEPTH levels, or
    an alias inside its own anchor (a value that contains itself). Each node is measured once,
    so the check costs what the document holds, not what it would expand to."""
    measured: dict[int, tuple[int, int]] = {}  # id -> (values once expanded, levels)
    open_nodes: set[int] = set()

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in open_nodes:
            line = node.start_mark.line + 1
            raise ConfigError(
                "", f"<an alias inside its own anchor at line {line}>", "a value that ends"
            )
        if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
            line = node.start_mark.line + 1
            raise ConfigError(
                "",
                f"<a lone surrogate escape (such as \\ud800) at line {line}>",
                "text that is valid Unicode (a lone surrogate cannot be written as UTF-8)",
            )
        if key not in measured:
            open_nodes.add(key)
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            size, height = 1, 0
            for child in children:
                child_size, child_height = measure(child, depth + 1)
                size, height = size + child_size, max(height, child_height + 1)
                if size > MAX_VALUES:
                    break
            open_nodes.discard(key)
            measured[key] = (size, height)
        size, height = measured[key]
        if depth + height > MAX_DEPTH:
            line = node.start_mark.line + 1
            raise ConfigError(
                "",
                f"<aliases nesting deeper than {MAX_DEPTH} levels at line {line}>",
                f"at most {MAX_DEPTH} levels of mappings and lists inside each other",
            )
        if size > MAX_VALUES:
            raise ConfigError(
                "",
                f"<more than {MAX_VALUES:,} values once its aliases are expanded>",
                f"at most {MAX_VALUES:,} values in one file or value",
            )
        return size, height

    measure(node, 0)


def safe_load(text: str) -> Any:
    """Parse YAML text with `_Loader`, refusing duplicate keys and oversized documents."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        _check_duplicate_keys(loader, node, "")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return safe_load(text)
    except ConfigError as err:
        raise err.in_file(file) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise ConfigError(
            "", f"<malformed YAML at {where}>", f"well-formed YAML ({yaml_problem(exc)})", file=file
        ) from None


def yaml_problem(exc: yaml.YAMLError) -> str:
    """What PyYAML says is wrong, in a few words."""
    return getattr(exc, "problem", None) or str(exc).splitlines()[0]


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file safely; a missing or malformed file raises ConfigError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ConfigError("", str(p), "an existing scenario file", file=str(p)) from None
    except OSError as exc:  # no permission, a name too long, an I/O error
        raise ConfigError(
            "", str(p), f"a readable file ({exc.strerror or exc})", file=str(p)
        ) from None
    except UnicodeDecodeError as exc:
        where = f"<not UTF-8 text: byte {exc.start + 1}>"
        raise ConfigError("", where, "a UTF-8 text file", file=str(p)) from None
    return _parse_yaml(text, str(p))
