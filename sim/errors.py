"""The one error type a user should ever see from bad input."""

from __future__ import annotations

import reprlib
from typing import Any


class ConfigError(ValueError):
    """A scenario, override or spec value was rejected.

    The message is one line: file, dotted path, the value found and what was expected, so a
    user can fix the file without reading a traceback.
    """

    def __init__(
        self,
        path: str,
        value: Any,
        expected: str,
        *,
        file: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.value = value
        self.expected = expected
        self.file = file
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"{shorten(self.file, FILE_WIDTH)}: " if self.file else ""
        shown = _show(self.value)
        text = f"{where}{self.path or '<top level>'} = {shown}: expected {self.expected}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a worker process, it must cross back whole (the keywords included).
        return (_rebuild, (self.path, self.value, self.expected, self.file, self.hint))

    def in_file(self, file: str) -> ConfigError:
        """The same error, attributed to a file (set once, where the file is known)."""
        if self.file is not None:
            return self
        return ConfigError(self.path, self.value, self.expected, file=file, hint=self.hint)


# A value is shown whole (then cut to 80 characters) when it is small; a huge one, such as a
# structure whose shared parts would repeat exponentially, is shown through reprlib's bounded
# summary, so that rendering the message never takes longer than the mistake deserves.
_WHOLE_UP_TO = 10_000
# A file name longer than any real path (the file system's own limit is 4,096) is cut too.
FILE_WIDTH = 300
_BOUNDED = reprlib.Repr()
_BOUNDED.maxlevel, _BOUNDED.maxstring, _BOUNDED.maxother = 4, 80, 80
_BOUNDED.maxlist = _BOUNDED.maxtuple = _BOUNDED.maxdict = _BOUNDED.maxset = 8


def _small(value: Any) -> bool:
    """Whether `value`, expanded, holds at most _WHOLE_UP_TO items and characters."""
    budget, stack = _WHOLE_UP_TO, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            budget -= len(item)
        elif isinstance(item, dict):
            budget -= len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            budget -= len(item)
            stack.extend(item)
        else:
            budget -= 1
        if budget < 0:
            return False
    return True


def _show(value: Any) -> str:
    text = repr(value) if _small(value) else _BOUNDED.repr(value)
    return shorten(" ".join(text.split()))


def printable(text: str) -> str:
    """`text` with every character that does not print (a control character, a line or
    paragraph separator, a lone surrogate) written as its escape: a message stays one line
    whatever a file name or a key holds."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shorten(text: str, width: int = 80) -> str:
    """A long text cut in the middle to `width` characters: the end of a path names the file,
    the end of a list its last items."""
    if len(text) <= width:
        return text
    head = (width - 3) * 2 // 5
    return text[:head] + "..." + text[-(width - 3 - head) :]


def _rebuild(
    path: str, value: Any, expected: str, file: str | None, hint: str | None
) -> ConfigError:
    return ConfigError(path, value, expected, file=file, hint=hint)
