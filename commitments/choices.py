"""The controlled vocabularies of the tracker. Each label is what analysts and exports show."""

from django.db import models


class StateKind(models.TextChoices):
    SOVEREIGN_STATE = "sovereign_state", "Sovereign state"
    INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
    COALITION = "coalition", "Coalition or informal grouping"


class DatePrecision(models.TextChoices):
    """How much of a stored date the source actually gives; the stored date is the first day
    of the period (e.g. "earlier this month" in March 2025 is 2025-03-01 with precision month)."""

    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class SourceKind(models.TextChoices):
    PRIMARY = "primary", "Primary (the document itself, an official statement)"
    SECONDARY = "secondary", "Secondary (a news report about it)"


class SummitKind(models.TextChoices):
    LEADERS_SUMMIT = "leaders_summit", "Leaders' summit"
    LEADERS_MEETING = "leaders_meeting", "Leaders' meeting (informal)"
    DEFENCE_CONTACT_GROUP = "defence_contact_group", "Defence contact group"
    MILITARY_PLANNING = "military_planning", "Military planners' meeting"
    MILITARY_CHIEFS = "military_chiefs", "Chiefs of defence meeting"
    NEGOTIATION = "negotiation", "Negotiation round"


class SummitStatus(models.TextChoices):
    PLANNED = "planned", "Planned (announced, not yet held when reported)"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent (reported as not attending)"


class RepresentativeRole(models.TextChoices):
    """The kind of post a person holds (or in which a party was represented)."""

    HEAD_OF_STATE_OR_GOVERNMENT = "head", "Head of state or government"
    MINISTER = "minister", "Minister"
    ENVOY = "envoy", "Envoy or special representative"
    MILITARY = "military", "Military commander or chief of defence"
    ORGANISATION_LEADER = "organisation_leader", "Head of an international organisation"
    DELEGATION = "delegation", "Delegation or unnamed representatives"
    ADVISER = "adviser", "Adviser or official"
    OTHER = "other", "Other (as the report words it)"


class CountedThing(models.TextChoices):
    COUNTRIES = "countries", "Countries"
    LEADERS = "leaders", "Leaders and representatives"
    PERSONNEL = "personnel", "Personnel"


class CountQualifier(models.TextChoices):
    """How the source phrased the number: "35" is exact, "more than 30" a lower bound."""

    EXACT = "exact", "Exactly"
    MORE_THAN = "more_than", "More than"
    NEARLY = "nearly", "Nearly"
    ABOUT = "about", "About"


class DeclarationKind(models.TextChoices):
    JOINT_DECLARATION = "joint_declaration", "Joint declaration"
    STATEMENT = "statement", "Joint statement"
    DECLARATION_OF_INTENT = "declaration_of_intent", "Declaration of intent"
    AGREED_PRINCIPLES = "agreed_principles", "Agreed principles (no published text reported)"
    TREATY = "treaty", "Treaty or legally binding agreement"


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", "Draft (reported, not adopted)"
    ADOPTED = "adopted", "Adopted or endorsed"
    SIGNED = "signed", "Signed"
    IN_FORCE = "in_force", "In force"
    SUPERSEDED = "superseded", "Superseded by a later text"
    ABANDONED = "abandoned", "Abandoned"


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", "Signatory"
    ENDORSER = "endorser", "Endorser"


class Category(models.TextChoices):
    TROOPS = "troops", "Troops"
    FUNDING = "funding", "Funding and financial aid"
    WEAPONS = "weapons", "Weapons and equipment"
    MONITORING = "monitoring", "Ceasefire monitoring and verification"
    MARITIME = "maritime", "Maritime security"
    SANCTIONS = "sanctions", "Sanctions and economic pressure"
    TRAINING = "training", "Training"
    INFRASTRUCTURE = "infrastructure", "Infrastructure and military hubs"
    BINDING_COMMITMENT = "binding_commitment", "Binding commitment (response to a future attack)"
    INTELLIGENCE = "intelligence", "Intelligence and logistics"
    DEFENCE_INDUSTRY = "defence_industry", "Defence industry and production"
    DIPLOMATIC = "diplomatic", "Diplomatic and political"


class MonitoringRole(models.TextChoices):
    LEAD = "lead", "Lead"
    PARTICIPANT = "participant", "Participant"
    CONTRIBUTOR = "contributor", "Contributor"


class Currency(models.TextChoices):
    """ISO 4217 codes the tracker accepts; add a code here (and a migration) to accept another."""

    EUR = "EUR", "Euro"
    USD = "USD", "US dollar"
    GBP = "GBP", "Pound sterling"
    CAD = "CAD", "Canadian dollar"
    NOK = "NOK", "Norwegian krone"
    SEK = "SEK", "Swedish krona"
    DKK = "DKK", "Danish krone"
    PLN = "PLN", "Polish złoty"
    CHF = "CHF", "Swiss franc"
    JPY = "JPY", "Japanese yen"
    AUD = "AUD", "Australian dollar"


class Condition(models.TextChoices):
    NOT_STATED = "not_stated", "None stated"
    UNCONDITIONAL = "unconditional", "Unconditional"
    UPON_CEASEFIRE = "upon_ceasefire", "Upon a ceasefire"
    UPON_PEACE_AGREEMENT = "upon_peace_agreement", "Upon a peace agreement"
    FUTURE_ATTACK = "future_attack", "In the event of a future attack"
    OTHER = "other", "Other (see condition text)"


class ConditionState(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable (no condition)"
    PENDING = "pending", "Pending (condition not yet met)"
    TRIGGERED = "triggered", "Triggered (condition met)"
    LAPSED = "lapsed", "Lapsed (condition can no longer be met)"


class Status(models.TextChoices):
    """Where a pledge stands. The order is the usual life of a pledge; FINAL_STATUSES end it."""

    NOT_ASSESSABLE = "not_assessable", "Not yet assessable"
    PROPOSED = "proposed", "Proposed (in a draft or a proposal; not agreed by the pledger)"
    ANNOUNCED = "announced", "Announced (stated publicly, not formally agreed)"
    AGREED = "agreed", "Agreed or endorsed (in an adopted declaration or statement)"
    COMMITTED = "committed", "Committed or signed (in a signed text)"
    IN_IMPLEMENTATION = "in_implementation", "In implementation"
    PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
    FULFILLED = "fulfilled", "Fulfilled"
    STALLED = "stalled", "Stalled"
    WITHDRAWN = "withdrawn", "Withdrawn"


FINAL_STATUSES = frozenset({Status.FULFILLED, Status.WITHDRAWN})
OPEN_STATUSES = frozenset(set(Status) - FINAL_STATUSES)


class InstrumentKind(models.TextChoices):
    """What sort of mechanism, force or body pledges build."""

    FORCE = "force", "Multinational force"
    MONITORING = "monitoring", "Ceasefire monitoring and verification mechanism"
    COMMISSION = "commission", "Commission or body"
    INFRASTRUCTURE = "infrastructure", "Infrastructure (hubs, bases)"
    MARITIME = "maritime", "Maritime task"
    OTHER = "other", "Other"


class InstrumentStatus(models.TextChoices):
    """Where an instrument stands. The order is its usual life; ENDED is final."""

    NOT_ASSESSABLE = "not_assessable", "Not yet assessable"
    PROPOSED = "proposed", "Proposed (in a draft or a proposal; not agreed)"
    AGREED = "agreed", "Agreed (its creation agreed or endorsed by the parties)"
    ESTABLISHED = "established", "Established (set up, not yet at work)"
    OPERATIONAL = "operational", "Operational (at work)"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended or abandoned"


class InstrumentRole(models.TextChoices):
    """A party's part in an instrument, as the reports give it."""

    LEAD = "lead", "Lead"
    PARTICIPANT = "participant", "Participant"
    CONTRIBUTOR = "contributor", "Contributor (provides means to it)"
    SUPPORTER = "supporter", "Supporter (backs it without taking part)"


class Stance(models.TextChoices):
    """What a statement does to the guarantee it is about."""

    SUPPORTS = "supports", "Supports"
    COMMITS = "commits", "Commits (the speaker's side undertakes something)"
    CLAIMS_PROGRESS = "claims_progress", "Claims progress"
    QUALIFIES = "qualifies", "Qualifies (a caveat or open question)"
    QUESTIONS = "questions", "Questions or doubts"
    REJECTS = "rejects", "Rejects"
