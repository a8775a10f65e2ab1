"""Reading a file in the ICB v14 system-level format, with the standard library only (the
command checks the file before it loads numpy), and the outcomes it records.

The outcomes are read here, apart from the coding rule (`coding.py`), which never sees them.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Mapping
from pathlib import Path

from sim.errors import ConfigError

# Columns without which no row could be coded or named: a file lacking one is not in the
# format, and is refused whole (the rule's other columns are checked row by row).
REQUIRED = ("crisno", "yrtrig", "sevviosy", "powdissy", "gravcr", "protrac", "medstyle")

# FOROUT, form of outcome: 1 formal agreement, 2 semi-formal agreement, 3 tacit
# understanding, 4 unilateral act, 5 imposed agreement, 6 other, 7 crisis faded.
FORMS = range(1, 8)
FORMAL_AGREEMENT = 1
# OUTESR: 1 escalation of tension (the adversaries met again in crisis within five years),
# 2 reduction of tension. Any other value is not scored.
ESCALATION, REDUCTION = 1, 2


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of a CSV file as column -> text; a file that is not such a CSV, or lacks a
    column the rule needs, raises ConfigError (one line)."""
    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            if not header:
                raise ConfigError("", "<empty file>", "a CSV file with a header row", file=str(p))
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ConfigError(
                    "columns",
                    missing,
                    "the ICB v14 system-level columns (an icb1v14 file)",
                    file=str(p),
                )
            rows = [dict(row) for row in reader]
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ConfigError("", str(p), "an existing CSV file") from None
    except UnicodeDecodeError as exc:
        where = f"<not UTF-8 text: byte {exc.start + 1}>"
        raise ConfigError("", where, "a CSV file", file=str(p)) from None
    except csv.Error as exc:
        raise ConfigError("", f"<malformed CSV: {exc}>", "a CSV file", file=str(p)) from None
    for number, row in enumerate(rows, start=2):
        if None in row:  # more fields than the header names
            raise ConfigError(
                f"line {number}", "<extra fields>", "as many fields as the header", file=str(p)
            )
    return rows


def _integer(row: Mapping[str, str | None], column: str) -> int | None:
    text = (row.get(column) or "").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def recorded_formal(row: Mapping[str, str | None]) -> int | None:
    """1 if the crisis ended in a formal agreement, 0 if in another form, None if unknown."""
    form = _integer(row, "forout")
    return None if form not in FORMS else int(form == FORMAL_AGREEMENT)


def recorded_reduction(row: Mapping[str, str | None]) -> int | None:
    """1 if tension fell after the crisis, 0 if it escalated, None if not coded."""
    code = _integer(row, "outesr")
    return None if code not in (ESCALATION, REDUCTION) else int(code == REDUCTION)


def recorded_duration(row: Mapping[str, str | None]) -> float | None:
    """Days from the trigger to the termination, None when a date is missing or invalid."""
    start = _trigger_date(row)
    end = _termination_date(row)
    if start is None or end is None or end < start:
        return None
    return float((end - start).days)


def _trigger_date(row: Mapping[str, str | None]) -> datetime.date | None:
    return _ymd(row, "yrtrig", "motrig", "datrig")


def _termination_date(row: Mapping[str, str | None]) -> datetime.date | None:
    return _ymd(row, "yrterm", "moterm", "daterm")


def _ymd(row: Mapping[str, str | None], y: str, m: str, d: str) -> datetime.date | None:
    year, month, day = _integer(row, y), _integer(row, m), _integer(row, d)
    if year is None or month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
