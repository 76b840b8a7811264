"""The controlled vocabularies of the tracker. Each label is what analysts and exports show."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StateKind(models.TextChoices):
    SOVEREIGN_STATE = "sovereign_state", _("Sovereign state")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    COALITION = "coalition", _("Coalition or informal grouping")


class DatePrecision(models.TextChoices):
    """How much of a stored date the source actually gives; the stored date is the first day
    of the period (e.g. "earlier this month" in March 2025 is 2025-03-01 with precision month)."""

    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class SourceKind(models.TextChoices):
    PRIMARY = "primary", _("Primary (the document itself, an official statement)")
    SECONDARY = "secondary", _("Secondary (a news report about it)")


class SummitKind(models.TextChoices):
    LEADERS_SUMMIT = "leaders_summit", _("Leaders' summit")
    LEADERS_MEETING = "leaders_meeting", _("Leaders' meeting (informal)")
    DEFENCE_CONTACT_GROUP = "defence_contact_group", _("Defence contact group")
    MILITARY_PLANNING = "military_planning", _("Military planners' meeting")
    MILITARY_CHIEFS = "military_chiefs", _("Chiefs of defence meeting")
    NEGOTIATION = "negotiation", _("Negotiation round")


class SummitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned (announced, not yet held when reported)")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent (reported as not attending)")


class RepresentativeRole(models.TextChoices):
    """The kind of post a person holds (or in which a party was represented)."""

    HEAD_OF_STATE_OR_GOVERNMENT = "head", _("Head of state or government")
    MINISTER = "minister", _("Minister")
    ENVOY = "envoy", _("Envoy or special representative")
    MILITARY = "military", _("Military commander or chief of defence")
    ORGANISATION_LEADER = "organisation_leader", _("Head of an international organisation")
    DELEGATION = "delegation", _("Delegation or unnamed representatives")
    ADVISER = "adviser", _("Adviser or official")
    OTHER = "other", _("Other (as the report words it)")


class CountedThing(models.TextChoices):
    COUNTRIES = "countries", _("Countries")
    LEADERS = "leaders", _("Leaders and representatives")
    PERSONNEL = "personnel", _("Personnel")


class CountQualifier(models.TextChoices):
    """How the source phrased the number: "35" is exact, "more than 30" a lower bound."""

    EXACT = "exact", _("Exactly")
    MORE_THAN = "more_than", _("More than")
    NEARLY = "nearly", _("Nearly")
    ABOUT = "about", _("About")


class DeclarationKind(models.TextChoices):
    JOINT_DECLARATION = "joint_declaration", _("Joint declaration")
    STATEMENT = "statement", _("Joint statement")
    DECLARATION_OF_INTENT = "declaration_of_intent", _("Declaration of intent")
    AGREED_PRINCIPLES = "agreed_principles", _("Agreed principles (no published text reported)")
    TREATY = "treaty", _("Treaty or legally binding agreement")


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (reported, not adopted)")
    ADOPTED = "adopted", _("Adopted or endorsed")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded by a later text")
    ABANDONED = "abandoned", _("Abandoned")


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", _("Signatory")
    ENDORSER = "endorser", _("Endorser")


class Category(models.TextChoices):
    TROOPS = "troops", _("Troops")
    FUNDING = "funding", _("Funding and financial aid")
    WEAPONS = "weapons", _("Weapons and equipment")
    MONITORING = "monitoring", _("Ceasefire monitoring and verification")
    MARITIME = "maritime", _("Maritime security")
    SANCTIONS = "sanctions", _("Sanctions and economic pressure")
    TRAINING = "training", _("Training")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and military hubs")
    BINDING_COMMITMENT = "binding_commitment", _("Binding commitment (response to a future attack)")
    INTELLIGENCE = "intelligence", _("Intelligence and logistics")
    DEFENCE_INDUSTRY = "defence_industry", _("Defence industry and production")
    DIPLOMATIC = "diplomatic", _("Diplomatic and political")


class MonitoringRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTICIPANT = "participant", _("Participant")
    CONTRIBUTOR = "contributor", _("Contributor")


class Currency(models.TextChoices):
    """ISO 4217 codes the tracker accepts; add a code here (and a migration) to accept another."""

    EUR = "EUR", _("Euro")
    USD = "USD", _("US dollar")
    GBP = "GBP", _("Pound sterling")
    CAD = "CAD", _("Canadian dollar")
    NOK = "NOK", _("Norwegian krone")
    SEK = "SEK", _("Swedish krona")
    DKK = "DKK", _("Danish krone")
    PLN = "PLN", _("Polish złoty")
    CHF = "CHF", _("Swiss franc")
    JPY = "JPY", _("Japanese yen")
    AUD = "AUD", _("Australian dollar")


class Condition(models.TextChoices):
    NOT_STATED = "not_stated", _("None stated")
    UNCONDITIONAL = "unconditional", _("Unconditional")
    UPON_CEASEFIRE = "upon_ceasefire", _("Upon a ceasefire")
    UPON_PEACE_AGREEMENT = "upon_peace_agreement", _("Upon a peace agreement")
    FUTURE_ATTACK = "future_attack", _("In the event of a future attack")
    OTHER = "other", _("Other (see condition text)")


class ConditionState(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", _("Not applicable (no condition)")
    PENDING = "pending", _("Pending (condition not yet met)")
    TRIGGERED = "triggered", _("Triggered (condition met)")
    LAPSED = "lapsed", _("Lapsed (condition can no longer be met)")


class Status(models.TextChoices):
    """Where a pledge stands. The order is the usual life of a pledge; FINAL_STATUSES end it."""

    NOT_ASSESSABLE = "not_assessable", _("Not yet assessable")
    PROPOSED = "proposed", _("Proposed (in a draft or a proposal; not agreed by the pledger)")
    ANNOUNCED = "announced", _("Announced (stated publicly, not formally agreed)")
    AGREED = "agreed", _("Agreed or endorsed (in an adopted declaration or statement)")
    COMMITTED = "committed", _("Committed or signed (in a signed text)")
    IN_IMPLEMENTATION = "in_implementation", _("In implementation")
    PARTIALLY_FULFILLED = "partially_fulfilled", _("Partially fulfilled")
    FULFILLED = "fulfilled", _("Fulfilled")
    STALLED = "stalled", _("Stalled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATUSES = frozenset({Status.FULFILLED, Status.WITHDRAWN})
OPEN_STATUSES = frozenset(set(Status) - FINAL_STATUSES)


class InstrumentKind(models.TextChoices):
    """What sort of mechanism, force or body pledges build."""

    FORCE = "force", _("Multinational force")
    MONITORING = "monitoring", _("Ceasefire monitoring and verification mechanism")
    COMMISSION = "commission", _("Commission or body")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure (hubs, bases)")
    MARITIME = "maritime", _("Maritime task")
    OTHER = "other", _("Other")


class InstrumentStatus(models.TextChoices):
    """Where an instrument stands. The order is its usual life; ENDED is final."""

    NOT_ASSESSABLE = "not_assessable", _("Not yet assessable")
    PROPOSED = "proposed", _("Proposed (in a draft or a proposal; not agreed)")
    AGREED = "agreed", _("Agreed (its creation agreed or endorsed by the parties)")
    ESTABLISHED = "established", _("Established (set up, not yet at work)")
    OPERATIONAL = "operational", _("Operational (at work)")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended or abandoned")


class InstrumentRole(models.TextChoices):
    """A party's part in an instrument, as the reports give it."""

    LEAD = "lead", _("Lead")
    PARTICIPANT = "participant", _("Participant")
    CONTRIBUTOR = "contributor", _("Contributor (provides means to it)")
    SUPPORTER = "supporter", _("Supporter (backs it without taking part)")


class Stance(models.TextChoices):
    """What a statement does to the guarantee it is about."""

    SUPPORTS = "supports", _("Supports")
    COMMITS = "commits", _("Commits (the speaker's side undertakes something)")
    CLAIMS_PROGRESS = "claims_progress", _("Claims progress")
    QUALIFIES = "qualifies", _("Qualifies (a caveat or open question)")
    QUESTIONS = "questions", _("Questions or doubts")
    REJECTS = "rejects", _("Rejects")
