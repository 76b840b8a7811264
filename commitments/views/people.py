"""A person's page: the posts they hold, the meetings they attended or chaired, the texts they
signed or endorsed for a party, and what they said."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from ..models import Attendance, DeclarationParty, Person, Post, Summit
from .common import admin_link, public_read, statements


@public_read
def person_detail(request, slug: str):
    person = get_object_or_404(Person, slug=slug)  # 1 query
    # In each meeting or text, the posts in which this person was there.
    theirs = Prefetch("representatives", queryset=Post.objects.filter(person=person), to_attr="their_posts")
    context = {
        "person": person,
        "posts": person.posts.select_related("state", "source").order_by(  # 1 query
            "-start_date", "state__name", "title"
        ),
        "attendances": Attendance.objects.filter(representatives__person=person)  # 2 queries
        .select_related("summit", "state")
        .prefetch_related(theirs)
        .distinct()
        .order_by("summit__date", "summit__slug"),
        "chaired": Summit.objects.filter(chaired_by__person=person).distinct().order_by("date", "slug"),  # 1 query
        "declaration_parties": DeclarationParty.objects.filter(representatives__person=person)  # 2 queries
        .select_related("declaration", "state")
        .prefetch_related(theirs)
        .distinct()
        .order_by("declaration__date", "declaration__slug"),
        "statements": statements(person.statements.all(), about=True),  # 6 queries
        "admin_url": admin_link(request, person),
    }
    return render(request, "commitments/person_detail.html", context)
