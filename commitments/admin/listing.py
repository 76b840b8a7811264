"""Changelist pieces that stay index-bound at a million pledges (issue 12).

- `RelationFilter`: a filter on a relation whose choices are read from the small related table
  (states, summits, declarations, instruments) with an EXISTS probe per row, where Django's
  `RelatedOnlyFieldListFilter` ran `SELECT DISTINCT` over every pledge joined to it. Same URL
  parameters (`pledgers__id__exact`, `summit__isnull`, …), same choices, same results; on a
  many-to-many relation it filters with EXISTS, so the list needs no DISTINCT.
- `search_without_duplicates`: the admin's search over the pledge's own text and its related
  rows as `pk IN (… UNION …)` of index-served branches (trigram indexes on PostgreSQL), never a
  join that needs DISTINCT.
- `SameDirectionChangeList`: a sorted column's tie-break by id in the column's direction, so that
  one (column, id) index serves the column sorted either way."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import prepare_lookup_value
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import OrderBy
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext

from ..formatting import short_label


class RelationFilter(admin.ListFilter):
    """Filter by one relation of the changelist's model (`field_name`); see the module docstring."""

    field_name = ""

    def __init__(self, request, params, model, model_admin):
        self.field = model._meta.get_field(self.field_name)
        self.title = self.field.verbose_name
        super().__init__(request, params, model, model_admin)
        target = self.field.target_field.name
        self.lookup_kwarg = f"{self.field_name}__{target}__exact"
        self.lookup_kwarg_isnull = f"{self.field_name}__isnull"
        self.lookup_val = params.pop(self.lookup_kwarg, None)
        isnull = params.pop(self.lookup_kwarg_isnull, None)
        self.lookup_val_isnull = isnull[-1] if isinstance(isnull, list) else isnull
        if self.lookup_val is not None:
            self.used_parameters[self.lookup_kwarg] = self.lookup_val
        if self.lookup_val_isnull is not None:
            self.used_parameters[self.lookup_kwarg_isnull] = self.lookup_val_isnull
        self.model = model
        self.empty_value_display = model_admin.get_empty_value_display()
        self.lookup_choices = self.field_choices(request, model_admin)

    @property
    def many(self) -> bool:
        return self.field.many_to_many

    def _rows_of(self, related=None):
        """The rows that tie a pledge to the related table: the through table, or the pledges."""
        if self.many:
            through = getattr(self.model, self.field_name).through
            rows = through.objects.order_by()
            return rows.filter(**{self.field.m2m_reverse_field_name(): related}) if related is not None else rows
        rows = self.model._default_manager.order_by()
        return rows.filter(**{self.field_name: related}) if related is not None else rows

    def field_choices(self, request, model_admin):
        """(pk, label) of the related rows some pledge refers to, in the related admin's order."""
        related_model = self.field.related_model
        try:
            ordering = model_admin.admin_site.get_model_admin(related_model).get_ordering(request)
        except admin.sites.NotRegistered:
            ordering = ()
        rows = related_model._default_manager.filter(Exists(self._rows_of(OuterRef("pk"))))
        if ordering:  # else the model's own ordering, as Django's filter does
            rows = rows.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in rows]

    @property
    def include_empty_choice(self) -> bool:
        return self.field.null or self.many

    def has_output(self):
        return len(self.lookup_choices) + (1 if self.include_empty_choice else 0) > 1

    def expected_parameters(self):
        return [self.lookup_kwarg, self.lookup_kwarg_isnull]

    def queryset(self, request, queryset):
        if self.lookup_val is not None:
            try:
                values = [self.field.target_field.to_python(v) for v in self.lookup_val]
            except ValidationError as exc:
                raise IncorrectLookupParameters(exc) from exc  # the list answers ?e=1, as for Django's filter
            if self.many:
                link = self.field.m2m_field_name()
                queryset = queryset.filter(
                    Exists(
                        self._rows_of().filter(**{link: OuterRef("pk"), f"{self.field.m2m_reverse_name()}__in": values})
                    )
                )
            else:
                queryset = queryset.filter(**{f"{self.field.attname}__in": values})
        if self.lookup_val_isnull is not None:
            empty = prepare_lookup_value(self.lookup_kwarg_isnull, self.lookup_val_isnull)  # "", "0", "false": False
            if self.many:
                linked = Exists(self._rows_of().filter(**{self.field.m2m_field_name(): OuterRef("pk")}))
                queryset = queryset.filter(~linked if empty else linked)
            else:
                queryset = queryset.filter(**{f"{self.field.attname}__isnull": empty})
        return queryset

    def choices(self, changelist):
        yield {
            "selected": self.lookup_val is None and not self.lookup_val_isnull,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]),
            "display": gettext("All"),
        }
        for pk_val, label in self.lookup_choices:
            yield {
                "selected": self.lookup_val is not None and str(pk_val) in self.lookup_val,
                "query_string": changelist.get_query_string({self.lookup_kwarg: pk_val}, [self.lookup_kwarg_isnull]),
                "display": label,
            }
        if self.include_empty_choice:
            yield {
                "selected": bool(self.lookup_val_isnull),
                "query_string": changelist.get_query_string({self.lookup_kwarg_isnull: "True"}, [self.lookup_kwarg]),
                "display": self.empty_value_display,
            }


def relation_filter(name: str) -> type[RelationFilter]:
    """A `RelationFilter` class for the relation `name` (list_filter takes classes)."""
    return type(f"{name.title().replace('_', '')}RelationFilter", (RelationFilter,), {"field_name": name})


def search_terms(search_term: str) -> list[str]:
    """The admin's reading of a search: words, or phrases in quotes."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        terms.append(bit)
    return terms


def unquoted(bit: str) -> str:
    """'"Paris summit"' → 'Paris summit' (a phrase in quotes after a prefix: source:"Paris summit")."""
    if len(bit) > 1 and bit.startswith(('"', "'")) and bit[0] == bit[-1]:
        return unescape_string_literal(bit)
    return bit


def search_without_duplicates(queryset, search_term: str, branches, prefixed=None):
    """`queryset` narrowed to the rows every term matches in one of `branches`: each a function
    of a term returning a queryset of matching ids (one column). A row matches a term when its
    id is in the UNION of the branches: each branch is served by its own index, and the result
    has no duplicates, so the changelist needs no DISTINCT. A term "prefix:word" whose prefix is
    a key of `prefixed` ({"source": [...]}) is matched by those branches instead, on "word".

    The ids of a term are read first (one query a term), up to SEARCH_IDS_READ: the list's page
    and its count then look those rows up by primary key. Left as a subquery, `id IN (UNION)`
    makes PostgreSQL hash the matches and scan every pledge against them (a million rows for
    5,000 matches: 0.4 s a page). A term matching more rows than that stays a subquery."""
    for term in search_terms(search_term):
        chosen = branches
        prefix, colon, word = term.partition(":")
        if colon and word and prefix.lower() in (prefixed or {}):
            chosen, term = prefixed[prefix.lower()], unquoted(word)
        first, *rest = (branch(term).order_by() for branch in chosen)
        # (One branch is no union: its own one column, read as it is, not as the pk of its model.)
        matches = first.union(*rest) if rest else first
        ids = [next(iter(row.values())) for row in matches[: SEARCH_IDS_READ + 1]]
        queryset = queryset.filter(pk__in=ids if len(ids) <= SEARCH_IDS_READ else matches)
    return queryset


# How many matching ids a search term may bring back as a list (see above); below SQLite's limit
# on a statement's parameters (32,766).
SEARCH_IDS_READ = 10_000


def text_matches(term: str, *lookups: str) -> Q:
    """Q: any of `lookups` (e.g. "title__icontains") matches `term`."""
    return Q.create([(lookup, term) for lookup in lookups], connector=Q.OR)


class SameDirectionChangeList(ChangeList):
    """Sorting by a column, Django orders by the column, then the admin's default ordering
    (updated_at, id), or ends with "-pk" whatever the column's direction: ORDER BY col ASC, id
    DESC, which no (col, id) index serves (a full sort at a million rows). Here the column, then
    id in its direction: ORDER BY col ASC, id ASC or col DESC, id DESC, both served by one (col, id)
    index read either way. Still a total order."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            # The clicked column alone (then id), not followed by the admin's default ordering,
            # which Django appends from the queryset (ORDER BY col, updated_at DESC, id DESC).
            queryset = queryset.order_by()
        return super().get_ordering(request, queryset)

    def _get_deterministic_ordering(self, ordering):
        ordering = super()._get_deterministic_ordering(ordering)
        if len(ordering) > 1 and ordering[-1] == "-pk" and _ascending(ordering[0]):
            ordering[-1] = "pk"
        return ordering


def _ascending(part) -> bool:
    if isinstance(part, str):
        return not part.startswith("-") and part != "?"
    if isinstance(part, OrderBy):
        return not part.descending
    return isinstance(part, F)  # a bare F() sorts ascending


class ShortChoicesFilter(admin.ChoicesFieldListFilter):
    """Django's filter on a field's choices, each choice by its short label ("Proposed", not
    "Proposed (in a draft or a proposal; not agreed by the pledger)"), the sidebar kept narrow."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": short_label(choice["display"])}


def labelled(label) -> str:
    """A choice's short label for a list's cell, its whole label as the cell's title (help on hover)."""
    return format_html('<span title="{}">{}</span>', label, short_label(label))


def cut(text: str, *, wide: bool = False, title: str = "") -> str:
    """A long text on one line of a list, cut with an ellipsis by the stylesheet (commitments/admin.css),
    whole (or `title`) as the cell's title."""
    return format_html('<span class="{}" title="{}">{}</span>', "cut wide" if wide else "cut", title or text, text)
