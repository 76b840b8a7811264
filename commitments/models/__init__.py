"""The commitments register: who promised Ukraine what, where, on which condition, and where it stands.

Every fact the tracker holds is tied to a `Source` through a quoted phrase (`Sourced`), and every
rule the data must obey is a named database constraint whose `violation_error_message` is also
what an analyst sees when a form or an API call breaks it.
"""

from .base import MAX_QUOTE_WORDS, NaturalKeyManager, NaturalKeyModel, Source, Sourced, quote_words
from .instruments import Instrument, InstrumentParty, InstrumentStatusChange
from .labels import name_fields
from .meetings import Attendance, AttendanceReport, Summit
from .parties import State
from .people import Person, Post
from .pledges import Citation, ForceRequirement, Pledge, PledgeQuerySet, StatusChange
from .releases import Release, ReleaseIsImmutable
from .review import Revision, RevisionAction, RevisionState
from .statements import Statement
from .summary import PledgeSummary
from .texts import Declaration, DeclarationComponent, DeclarationParty
from .tokens import ApiToken
from .webhooks import DeliveryState, Webhook, WebhookDelivery

# The fields without a name of their own get a translatable one (labels.py).
name_fields(
    [
        Source,
        State,
        Summit,
        Attendance,
        AttendanceReport,
        Declaration,
        DeclarationParty,
        DeclarationComponent,
        Instrument,
        InstrumentParty,
        InstrumentStatusChange,
        Person,
        Post,
        ForceRequirement,
        Pledge,
        StatusChange,
        Citation,
        Release,
        Revision,
        Statement,
        PledgeSummary,
        ApiToken,
    ]
)

__all__ = [
    "MAX_QUOTE_WORDS",
    "ApiToken",
    "Attendance",
    "AttendanceReport",
    "Citation",
    "Declaration",
    "DeclarationComponent",
    "DeclarationParty",
    "DeliveryState",
    "ForceRequirement",
    "Instrument",
    "InstrumentParty",
    "InstrumentStatusChange",
    "NaturalKeyManager",
    "NaturalKeyModel",
    "Person",
    "Pledge",
    "PledgeQuerySet",
    "PledgeSummary",
    "Post",
    "Release",
    "ReleaseIsImmutable",
    "Revision",
    "RevisionAction",
    "RevisionState",
    "Source",
    "Sourced",
    "State",
    "Statement",
    "StatusChange",
    "Summit",
    "Webhook",
    "WebhookDelivery",
    "quote_words",
]
