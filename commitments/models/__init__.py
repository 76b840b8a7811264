"""The commitments register: who promised Ukraine what, where, on which condition, and where it stands.

Every fact the tracker holds is tied to a `Source` through a quoted phrase (`Sourced`), and every
rule the data must obey is a named database constraint whose `violation_error_message` is also
what an analyst sees when a form or an API call breaks it.
"""

from .base import MAX_QUOTE_WORDS, NaturalKeyManager, NaturalKeyModel, Source, Sourced, quote_words
from .meetings import Attendance, AttendanceReport, Summit
from .parties import State
from .pledges import Citation, ForceRequirement, Pledge, PledgeQuerySet, StatusChange
from .texts import Declaration, DeclarationComponent, DeclarationParty
from .tokens import ApiToken

__all__ = [
    "MAX_QUOTE_WORDS",
    "ApiToken",
    "Attendance",
    "AttendanceReport",
    "Citation",
    "Declaration",
    "DeclarationComponent",
    "DeclarationParty",
    "ForceRequirement",
    "NaturalKeyManager",
    "NaturalKeyModel",
    "Pledge",
    "PledgeQuerySet",
    "Source",
    "Sourced",
    "State",
    "StatusChange",
    "Summit",
    "quote_words",
]
