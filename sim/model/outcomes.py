"""The model's vocabularies, each declared once: where a run stands (its outcome) and why a
side refused a text. Everything else (the engine's codes, the runs table's labels, figure
colours, validation's endings, the story's sentences) derives from these tables.

To add an outcome, add one `Outcome` row and its `Status` code (the two lists are checked
against each other at import); a refusal reason likewise, one `Reason` row and its
`Refusal` code, in the order the constraints bind.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """One state a run can be in.

    Attributes:
        name: The engine's code name (`Status.<name>`).
        label: The runs table's `outcome` value; `{party}` stands for the party's name.
        colour: Its colour in every figure.
        ending: How validation counts a run that stopped here (agreement, ceasefire, frozen,
            victory or ongoing).
        absorbing: Nothing changes any more once a run is here.
        settled: An agreement stands (a framework or a comprehensive agreement).
        story: The story's line when a run enters this state; `{a}`/`{b}` name the parties.
        party: The side concerned (0 or 1) for a capitulation, else None.
    """

    name: str
    label: str
    colour: str
    ending: str
    absorbing: bool
    settled: bool
    story: str
    party: int | None = None


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("WAR", "ongoing", "#E0E0E0", "ongoing", False, False, "the war resumes"),
    Outcome(
        "CEASEFIRE",
        "ceasefire",
        "#A6CEE3",
        "ceasefire",
        False,
        False,
        "an unconditional ceasefire takes hold; talks go on",
    ),
    Outcome(
        "FRAMEWORK",
        "framework",
        "#7FBF7B",
        "agreement",
        False,
        True,
        "framework agreement and ceasefire signed",
    ),
    Outcome(
        "COMPREHENSIVE",
        "comprehensive",
        "#1B7837",
        "agreement",
        False,
        True,
        "comprehensive agreement signed",
    ),
    Outcome(
        "FROZEN",
        "frozen",
        "#8C96A6",
        "frozen",
        True,
        False,
        "the front freezes without an agreement (frozen conflict)",
    ),
    Outcome(
        "CAPITULATION_A",
        "capitulation_{party}",
        "#D55E00",
        "victory",
        True,
        False,
        "{a} capitulates",
        party=0,
    ),
    Outcome(
        "CAPITULATION_B",
        "capitulation_{party}",
        "#CC79A7",
        "victory",
        True,
        False,
        "{b} capitulates",
        party=1,
    ),
)


class Status(enum.IntEnum):
    """Where a run stands: the codes of `OUTCOMES`, in its order."""

    WAR = 0
    CEASEFIRE = 1
    FRAMEWORK = 2
    COMPREHENSIVE = 3
    FROZEN = 4
    CAPITULATION_A = 5
    CAPITULATION_B = 6


assert [s.name for s in Status] == [o.name for o in OUTCOMES]

ABSORBING = frozenset(i for i, o in enumerate(OUTCOMES) if o.absorbing)
CAPITULATIONS = frozenset(i for i, o in enumerate(OUTCOMES) if o.party is not None)
# The name of each kind of agreement, by status code (the runs table's `first_agreement`).
KIND_NAMES = {i: o.label for i, o in enumerate(OUTCOMES) if o.settled}
# Validation's endings, in the order it reports them.
ENDINGS = ("agreement", "ceasefire", "frozen", "victory", "ongoing")
CAPITULATION_PREFIX = "capitulation_"


def label_of(code: int, party_names: tuple[str, str]) -> str:
    """The runs table's outcome label of a status code."""
    o = OUTCOMES[code]
    return o.label.format(party=party_names[o.party]) if o.party is not None else o.label


def outcome_labels(party_names: tuple[str, str]) -> dict[int, str]:
    """Outcome label by status code, for a scenario's parties."""
    return {i: label_of(i, party_names) for i in range(len(OUTCOMES))}


def party_free_labels() -> tuple[str, ...]:
    """The labels that do not name a party (every outcome but the capitulations)."""
    return tuple(o.label for o in OUTCOMES if o.party is None)


def ending_of_label(label: str) -> str:
    """Validation's ending for a runs-table outcome label."""
    for o in OUTCOMES:
        if o.label == label or (o.party is not None and label.startswith(CAPITULATION_PREFIX)):
            return o.ending
    raise KeyError(label)


@dataclass(frozen=True)
class Reason:
    """Why a side refused a text: the first constraint that binds, in `REASONS` order.

    Attributes:
        name: The engine's code name (`Refusal.<name>`).
        label: Its name in tables and figures.
        marker: Its marker in figures.
        story: The story's words for it.
    """

    name: str
    label: str
    marker: str
    story: str


REASONS: tuple[Reason, ...] = (
    Reason("NONE", "none", "", ""),
    Reason("TERMS", "terms", "s", "terms worse than fighting on"),  # even if the other complied
    Reason("TRUST", "trust", "D", "no trust the other side complies"),  # good only if trusted
    Reason("DOMESTIC", "domestic", "^", "domestic constraint"),  # audience cost, hardliners
    Reason("NOISE", "noise", "x", "misjudgement (noise)"),  # bounded rationality
    Reason("VETO", "veto", "v", "stakeholder veto"),  # both signed; a stakeholder blocked it
    Reason("MEMBER", "member", "P", "a member of its camp refused"),  # the lead would sign
)


class Refusal(enum.IntEnum):
    """Why a side refused a text: the codes of `REASONS`, in its order."""

    NONE = 0
    TERMS = 1
    TRUST = 2
    DOMESTIC = 3
    NOISE = 4
    VETO = 5
    MEMBER = 6


assert [r.name for r in Refusal] == [r.name for r in REASONS]
