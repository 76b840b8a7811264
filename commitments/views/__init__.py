"""The public pages: an overview with charts, the pledge list with the API's filters, and one page
per pledge, instrument, summit, declaration, party and person, each figure one click from its
sources.

Every page runs a fixed number of queries whatever the number of records (tests pin them), by
loading through `PledgeQuerySet` (`with_related`, `totals`, `totals_by_pledger`), the
instruments' `contribution_figures` and prefetches. Every page is behind the one read rule
(`common.public_read`)."""

from .changes import recent_changes
from .data import data, favicon
from .instruments import instrument_detail, instrument_list
from .overview import overview
from .people import person_detail
from .pledges import pledge_detail, pledge_list
from .records import declaration_detail, declaration_list, state_detail, state_list, summit_detail, summit_list
from .releases import release_diff, release_list
from .search import search
from .sources import source_detail, source_list

__all__ = [
    "data",
    "declaration_detail",
    "declaration_list",
    "favicon",
    "instrument_detail",
    "instrument_list",
    "overview",
    "person_detail",
    "pledge_detail",
    "pledge_list",
    "recent_changes",
    "release_diff",
    "release_list",
    "search",
    "source_detail",
    "source_list",
    "state_detail",
    "state_list",
    "summit_detail",
    "summit_list",
]
