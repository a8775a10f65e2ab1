"""Rounds as calendar months: the month a round begins in, the last round of a year, and the
first round of a month.

A scenario starts on the first day of its `start` month, and a round lasts `round_days`.
With the default 30 days a round is one calendar month: round t is month start + (t - 1).
Any other length is counted in days on the calendar: round t begins (t - 1) * round_days
days after the start, and is dated by the month that day falls in.
"""

from __future__ import annotations

import datetime as dt

MONTH_DAYS = 30  # a round of this length is read as one calendar month


def _start(start: str) -> tuple[int, int]:
    year, month = (int(x) for x in start.split("-")[:2])
    return year, month


def round_month(start: str, round_: int, round_days: int = MONTH_DAYS) -> str:
    """YYYY-MM of the month round `round_` (counted from 1) begins in."""
    year, month = _start(start)
    if round_days == MONTH_DAYS:
        index = year * 12 + month - 1 + (round_ - 1)
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    day = dt.date(year, month, 1) + dt.timedelta(days=(round_ - 1) * round_days)
    return f"{day.year:04d}-{day.month:02d}"


def year_ends(start: str, horizon: int, round_days: int = MONTH_DAYS) -> list[dict[str, object]]:
    """For each calendar year the rounds 1..horizon touch, the last round dated in it.

    Returns one dict per year, in order: `year`, `last_round`, `through` (the YYYY-MM of
    that round) and `whole_year` (False for a last year the horizon ends inside, whose
    later months no round covers).
    """
    months = [round_month(start, t, round_days) for t in range(1, horizon + 2)]
    out: list[dict[str, object]] = []
    for t in range(1, horizon + 1):
        year = int(months[t - 1][:4])
        if int(months[t][:4]) != year or t == horizon:
            # Round horizon + 1 (never run) tells whether the horizon reaches the year's end.
            out.append(
                {
                    "year": year,
                    "last_round": t,
                    "through": months[t - 1],
                    "whole_year": int(months[t][:4]) != year,
                }
            )
    return out


def first_round_in(start: str, month: str, round_days: int = MONTH_DAYS) -> int:
    """The first round that begins in `month` (YYYY-MM) or later."""
    year, first = _start(start)
    to_year, to_month = _start(month)
    if round_days == MONTH_DAYS:
        return (to_year - year) * 12 + (to_month - first) + 1
    days = (dt.date(to_year, to_month, 1) - dt.date(year, first, 1)).days
    return -(-days // round_days) + 1
