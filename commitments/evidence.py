"""The evidence ladder: which wording in a quoted phrase supports which status or stance.

A status is only as strong as the words its source uses. Each status change quotes a phrase (at
most 25 words, verbatim); that phrase must contain wording the ladder accepts for the status it
moves to, and must not contain a hedge whose ceiling lies below that status ("could" never
supports more than proposed, "would" never more than agreed). There are two status ladders:

- pledges (`STATUS_WORDING`, `HEDGE_CEILINGS`; `commitments.choices.Status`);
- instruments (`INSTRUMENT_STATUS_WORDING`, `INSTRUMENT_HEDGE_CEILINGS`; `InstrumentStatus`): a
  force, mechanism or body is proposed, agreed, established, operational… and a plan for it
  ("will", "is to") never makes it established.

A statement's stance (`STANCE_WORDING`; `Stance`) is read the same way: its quote carries wording
of that stance ("largely finalised" claims progress; "remained to be determined" qualifies).

`docs/data.md` shows the same tables with the reasoning; a test keeps them in step.

The check is necessary, not sufficient: it lets a reviewer follow the ladder from the quote to the
stored value, and it catches a value stronger than its words ("committed" on a phrase that says
"would"), but an analyst still reads the sentence the phrase comes from (who is speaking, whether
the text is a draft, whether "would" is reported speech).

Matching is case-insensitive, on whole words, after typographic quotes are made straight and
whitespace is folded (as the fixture walk does when it finds a quote in its seed report).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext

from .choices import InstrumentStatus, Stance, Status

# What each status needs to see in the quoted phrase. Lower statuses accept weaker words; no
# phrase of a lower rung is accepted for a higher one ("pledged" is announced, not agreed).
STATUS_WORDING: dict[str, tuple[str, ...]] = {
    # Only reached by moving back, when a report says the earlier evidence no longer holds.
    Status.NOT_ASSESSABLE: ("unclear", "not known", "remains to be determined", "remained to be determined"),
    # Tentative, conditional, or the content of a draft or proposal.
    Status.PROPOSED: (
        "proposed",
        "proposal",
        "draft",
        "envisages",
        "envisioned",
        "is considering",
        "could",
        "would",
        "may include",
        "calling for",
        "is to",
        "are to",
        "no final agreement",
    ),
    # A named party said publicly it will do it, or declared its intention; no adopted joint text.
    Status.ANNOUNCED: (
        "announced",
        "announcement",
        "said it will",
        "said that",
        "will",
        "pledged",
        "vowed",
        "promised",
        "planning to",
        "readiness",
        "declaration by",
        "declaration of intent",
    ),
    # The parties agreed or endorsed it, or it is content of an adopted joint text.
    Status.AGREED: (
        "agreed",
        "endorsed",
        "adopted",
        "signing the",
        "formal declaration",
        "statement by the coalition leaders",
        "statement of the coalition",
    ),
    # A signed text that binds the pledger. A declaration of intent is signed but binds no one.
    Status.COMMITTED: (
        "ratified",
        "entered into force",
        "signed a treaty",
        "signed the treaty",
        "signed a legally binding",
        "legally binding agreement was signed",
    ),
    # Reported as happening or done: a deployment, a delivery, a payment.
    Status.IN_IMPLEMENTATION: ("deployed", "delivered", "disbursed", "began", "begun", "under way", "arrived"),
    Status.PARTIALLY_FULFILLED: ("partially", "partly", "first tranche", "some of the"),
    Status.FULFILLED: ("fulfilled", "completed", "fully delivered", "fully disbursed"),
    Status.STALLED: ("stalled", "on hold", "suspended", "delayed", "blocked"),
    Status.WITHDRAWN: ("withdrawn", "withdrew", "cancelled", "abandoned", "pulled out"),
}

# Hedges, and the highest status a phrase containing them may support. "would" is allowed up to
# agreed because reported speech turns "will" into "would" ("agreed that no sanctions would be
# lifted"); it never supports a binding commitment or a delivery.
HEDGE_CEILINGS: dict[str, str] = {
    "could": Status.PROPOSED,
    "might": Status.PROPOSED,
    "likely": Status.PROPOSED,
    "may include": Status.PROPOSED,
    "envisages": Status.PROPOSED,
    "is considering": Status.PROPOSED,
    "proposed": Status.PROPOSED,
    "draft": Status.PROPOSED,
    "calling for": Status.PROPOSED,
    "no final agreement": Status.PROPOSED,
    "would": Status.AGREED,
    "intent": Status.AGREED,
}

# A status change at or above this rung must quote its source (Status is ordered as a pledge's life).
QUOTE_REQUIRED_FROM = Status.AGREED


# --------------------------------------------------------------------------------------------
# Instruments: a force, a mechanism, a body. No rung between proposed and agreed: a text its
# parties signed or adopted that says it will be created is its creation agreed (the text's
# binding force is no part of an instrument's status; a pledge's "committed" is where it counts).
# A plan for it ("will", "is to") never makes it established or operational.

INSTRUMENT_STATUS_WORDING: dict[str, tuple[str, ...]] = {
    InstrumentStatus.NOT_ASSESSABLE: ("unclear", "not known", "remains to be determined", "remained to be determined"),
    # Tentative, conditional, or the content of a draft or proposal.
    InstrumentStatus.PROPOSED: (
        "proposed",
        "proposal",
        "draft",
        "envisages",
        "envisioned",
        "is considering",
        "could",
        "would",
        "calling for",
        "is to",
        "are to",
        "no final agreement",
    ),
    # Its creation agreed or endorsed by its parties, or stated in a text they signed or adopted.
    InstrumentStatus.AGREED: (
        "agreed",
        "endorsed",
        "adopted",
        "signing the",
        "formal declaration",
        "statement by the coalition leaders",
        "statement of the coalition",
        "signed a declaration of intent",
        "declaration of intent signed",
        "signed an agreement",
        "the agreement also said",
    ),
    # Set up, not yet at work.
    InstrumentStatus.ESTABLISHED: (
        "established",
        "set up",
        "was created",
        "were created",
        "has been created",
        "launched",
        "inaugurated",
        "constituted",
    ),
    # At work.
    InstrumentStatus.OPERATIONAL: (
        "operational",
        "in operation",
        "is operating",
        "are operating",
        "began operating",
        "began its work",
        "deployed",
    ),
    InstrumentStatus.SUSPENDED: ("suspended", "on hold", "halted", "paused"),
    InstrumentStatus.ENDED: ("ended", "disbanded", "dissolved", "abandoned", "wound up", "withdrawn"),
}

# Hedges for instruments: the pledges' hedges, and the words of a plan ("will be established",
# "is to be launched"), which support at most agreed.
INSTRUMENT_HEDGE_CEILINGS: dict[str, str] = {
    "could": InstrumentStatus.PROPOSED,
    "might": InstrumentStatus.PROPOSED,
    "likely": InstrumentStatus.PROPOSED,
    "may include": InstrumentStatus.PROPOSED,
    "envisages": InstrumentStatus.PROPOSED,
    "is considering": InstrumentStatus.PROPOSED,
    "proposed": InstrumentStatus.PROPOSED,
    "draft": InstrumentStatus.PROPOSED,
    "calling for": InstrumentStatus.PROPOSED,
    "no final agreement": InstrumentStatus.PROPOSED,
    "would": InstrumentStatus.AGREED,
    "intent": InstrumentStatus.AGREED,
    "will": InstrumentStatus.AGREED,
    "is to": InstrumentStatus.AGREED,
    "are to": InstrumentStatus.AGREED,
    "to be": InstrumentStatus.AGREED,
}

INSTRUMENT_QUOTE_REQUIRED_FROM = InstrumentStatus.AGREED


# --------------------------------------------------------------------------------------------
# Statements: what the quoted words do to the guarantee they are about.

STANCE_WORDING: dict[str, tuple[str, ...]] = {
    # Backs it, vouches for it, thanks for it or urges it on.
    Stance.SUPPORTS: (
        "supports",
        "stands behind",
        "strong for",
        "as strong as",
        "will be there",
        "assured",
        "ready to work",
        "thanked",
        "backing",
        "must",
    ),
    # The speaker's side undertakes something.
    Stance.COMMITS: ("will", "pledged", "promised", "vowed", "committed to", "undertakes"),
    # Says it has moved forward.
    Stance.CLAIMS_PROGRESS: (
        "breakthrough",
        "finalised",
        "finalized",
        "now exists",
        "now has",
        "step forward",
        "closer",
        "already",
        "paves the way",
        "at pace",
        "endorsed",
        "progress",
    ),
    # A caveat: something open, missing or not yet there.
    Stance.QUALIFIES: (
        "remained to be determined",
        "remains to be determined",
        "not showing",
        "unclear",
        "not yet",
        "no final",
        "depends on",
    ),
    # Asks what it is or whether it will be.
    Stance.QUESTIONS: ("which countries", "where exactly", "what will", "when will", "how many", "question", "doubt"),
    # Refuses it.
    Stance.REJECTS: ("rejected", "rejects", "will not agree", "will not accept", "refused", "refuses", "opposes"),
}

_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_TYPOGRAPHIC)).strip().lower()


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(_fold(phrase))}(?!\w)", text) is not None


def _found(quote: str, phrases) -> list[str]:
    text = _fold(quote)
    return [phrase for phrase in phrases if _contains(text, phrase)]


@dataclass(frozen=True)
class Ladder:
    """One status ladder: the statuses in order, the wording each needs, the hedges' ceilings and
    the rung from which a status change must quote its source."""

    statuses: tuple[str, ...]
    wording: dict[str, tuple[str, ...]]
    hedges: dict[str, str]
    quote_required_from: str

    def rank(self, status: str) -> int:
        """Position of a status in the ladder."""
        return self.statuses.index(status)

    def quote_required(self, status: str) -> bool:
        return self.rank(status) >= self.rank(self.quote_required_from)

    def supporting_wording(self, quote: str, status: str) -> list[str]:
        """The phrases of the status's wording that occur in the quote."""
        return _found(quote, self.wording[status])

    def hedges_above_ceiling(self, quote: str, status: str) -> list[str]:
        """The hedges in the quote that cannot support `status` (their ceiling lies below it)."""
        text = _fold(quote)
        return [
            hedge
            for hedge, ceiling in self.hedges.items()
            if self.rank(status) > self.rank(ceiling) and _contains(text, hedge)
        ]

    def problems(self, quote: str, status: str) -> list[str]:
        """Why this quote does not support this status, per the ladder; [] if it does."""
        if not quote.strip():
            needs = gettext("no quote: a status of %(status)s or above needs one") % {"status": status}
            return [needs] if self.quote_required(status) else []
        found = []
        if not self.supporting_wording(quote, status):
            wanted = ", ".join(f'"{phrase}"' for phrase in self.wording[status])
            found.append(
                gettext("no wording the ladder accepts for %(status)s (one of %(wanted)s)")
                % {"status": status, "wanted": wanted}
            )
        for hedge in self.hedges_above_ceiling(quote, status):
            found.append(
                gettext('"%(hedge)s" supports at most %(ceiling)s, not %(status)s')
                % {"hedge": hedge, "ceiling": self.hedges[hedge], "status": status}
            )
        return found


PLEDGES = Ladder(tuple(Status.values), STATUS_WORDING, HEDGE_CEILINGS, QUOTE_REQUIRED_FROM)
INSTRUMENTS = Ladder(
    tuple(InstrumentStatus.values),
    INSTRUMENT_STATUS_WORDING,
    INSTRUMENT_HEDGE_CEILINGS,
    INSTRUMENT_QUOTE_REQUIRED_FROM,
)


# The pledge ladder, as module functions.


def rank(status: str) -> int:
    """Position of a pledge status in the ladder (the order of `Status`)."""
    return PLEDGES.rank(status)


def quote_required(status: str) -> bool:
    return PLEDGES.quote_required(status)


def supporting_wording(quote: str, status: str) -> list[str]:
    """The phrases of `STATUS_WORDING[status]` that occur in the quote."""
    return PLEDGES.supporting_wording(quote, status)


def hedges_above_ceiling(quote: str, status: str) -> list[str]:
    """The hedges in the quote that cannot support the pledge status `status`."""
    return PLEDGES.hedges_above_ceiling(quote, status)


def problems(quote: str, status: str) -> list[str]:
    """Why this quote does not support this pledge status, per the ladder; [] if it does."""
    return PLEDGES.problems(quote, status)


def instrument_problems(quote: str, status: str) -> list[str]:
    """Why this quote does not support this instrument status, per the ladder; [] if it does."""
    return INSTRUMENTS.problems(quote, status)


def stance_wording(quote: str, stance: str) -> list[str]:
    """The phrases of `STANCE_WORDING[stance]` that occur in the quote."""
    return _found(quote, STANCE_WORDING[stance])


def stance_problems(quote: str, stance: str) -> list[str]:
    """Why this quote does not carry this stance, per the ladder; [] if it does."""
    if not quote.strip():
        return [gettext("no quote: a statement is its quoted words")]
    if stance_wording(quote, stance):
        return []
    wanted = ", ".join(f'"{phrase}"' for phrase in STANCE_WORDING[stance])
    return [
        gettext("no wording the ladder accepts for the stance %(stance)s (one of %(wanted)s)")
        % {"stance": stance, "wanted": wanted}
    ]
