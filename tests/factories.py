"""Small builders for valid records; each test changes only what it is about."""

import datetime
import itertools

from commitments.models import Citation, Declaration, Pledge, Source, State, Summit

_n = itertools.count(1)


def source(**kw) -> Source:
    n = next(_n)
    defaults = {"key": f"source-{n}", "title": f"Report {n}", "publisher": "Agency", "url": f"https://example.org/{n}"}
    return Source.objects.create(**{**defaults, **kw})


def state(code="FR", name=None, **kw) -> State:
    return State.objects.get_or_create(code=code, defaults={"name": name or f"State {code}", **kw})[0]


def summit(**kw) -> Summit:
    n = next(_n)
    defaults = {
        "slug": f"summit-{n}",
        "title": f"Summit {n}",
        "kind": "leaders_summit",
        "date": datetime.date(2025, 3, 27),
    }
    return Summit.objects.create(**{**defaults, **kw})


def declaration(**kw) -> Declaration:
    n = next(_n)
    defaults = {
        "slug": f"declaration-{n}",
        "title": f"Declaration {n}",
        "kind": "joint_declaration",
        "status": "adopted",
    }
    return Declaration.objects.create(**{**defaults, **kw})


def pledge(pledgers=("FR",), citations=0, **kw) -> Pledge:
    n = next(_n)
    defaults = {"slug": f"pledge-{n}", "title": f"Pledge {n}", "category": "funding"}
    obj = Pledge.objects.create(**{**defaults, **kw})
    obj.pledgers.set([state(code) for code in pledgers])
    for i in range(citations):
        Citation.objects.create(pledge=obj, source=source(), quote=f"quote {i}")
    return obj
