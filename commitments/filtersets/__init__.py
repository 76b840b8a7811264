"""One FilterSet per model, shared by the API, the CSV exports and the public pages.

`core` holds the register's records and the building blocks every FilterSet shares; `facts` the
facts that hang off them (force requirements, citations, status histories). Everything is
importable from here: `from commitments import filtersets; filtersets.PledgeFilterSet`."""

from .core import (
    BoundedIsoDateTimeField,
    BoundedIsoDateTimeFilter,
    CodesField,
    CodesFilter,
    DeclarationFilterSet,
    InstrumentFilterSet,
    NulSafeForm,
    PersonFilterSet,
    PledgeFilterSet,
    PostFilterSet,
    SourceFilterSet,
    StateFilterSet,
    StatementFilterSet,
    StateRoleFilters,
    StatusHistoryFilterSet,
    StrictBooleanField,
    StrictBooleanFilter,
    SummitFilterSet,
    TrackerFilterSet,
    state_codes,
)
from .facts import (
    CitationFilterSet,
    ForceRequirementFilterSet,
    InstrumentStatusChangeFilterSet,
    StatusChangeFilterSet,
)
from .review import RevisionFilterSet

__all__ = [
    "BoundedIsoDateTimeField",
    "BoundedIsoDateTimeFilter",
    "CitationFilterSet",
    "CodesField",
    "CodesFilter",
    "DeclarationFilterSet",
    "ForceRequirementFilterSet",
    "InstrumentFilterSet",
    "InstrumentStatusChangeFilterSet",
    "NulSafeForm",
    "PersonFilterSet",
    "PledgeFilterSet",
    "PostFilterSet",
    "RevisionFilterSet",
    "SourceFilterSet",
    "StateFilterSet",
    "StateRoleFilters",
    "StatementFilterSet",
    "StatusChangeFilterSet",
    "StatusHistoryFilterSet",
    "StrictBooleanField",
    "StrictBooleanFilter",
    "SummitFilterSet",
    "TrackerFilterSet",
    "state_codes",
]
