"""A read-only fast path for list pages: a serializer's rows built as plain dicts by a plan made
once per serializer class from its own fields, rather than by DRF's per-field machinery
(`_readable_fields`, `get_attribute` with its callable and mapping checks, a bound field per
nested row), which cost 200–550 µs a pledge row.

The plan reads each value as DRF would (the same attribute, the same None rule) and formats it with
the serializer's own field (`to_representation`: decimals, dates, times with their time zone,
choices), so the answer is the one the serializer gives, byte for byte (tests/test_api_seeded.py
compares a page with DRF's stock fields). Addresses come from one `reverse()` a request and view,
as `PrefixedIdentityField` builds them. A serializer with a field the plan does not know is
rendered by DRF as before, whole: no row is half planned. Writes, the schema and detail pages go
through the serializer itself."""

import re
from collections.abc import Mapping
from typing import ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from rest_framework import fields, relations, serializers
from rest_framework.fields import SkipField, is_simple_callable
from rest_framework.reverse import reverse

# Fields whose `to_representation` needs nothing but the value (no context, no request).
PLAIN_FIELDS = (
    fields.BooleanField,
    fields.CharField,
    fields.ChoiceField,
    fields.DateField,
    fields.DateTimeField,
    fields.DecimalField,
    fields.FloatField,
    fields.IntegerField,
    fields.UUIDField,
)
PLAIN_LOOKUP = re.compile(r"[A-Za-z0-9_-]+\Z")  # never quoted in a URL: see PrefixedIdentityField
PLACEHOLDER = "0lookup0placeholder0"
SKIP = object()


class Unplannable(Exception):
    """A field the plan cannot read as DRF would: the serializer is rendered by DRF."""


class Links:
    """The request's addresses: each view's address reversed once (per format), a row's value put
    where the placeholder was."""

    def __init__(self, request, format):
        self.request = request
        self.format = format
        self.around = {}

    def url(self, obj, view_name, lookup_field, lookup_url_kwarg, field_format):
        # HyperlinkedRelatedField.to_representation and get_url, in their order.
        format = self.format
        if format and field_format and field_format != format:
            format = field_format
        if hasattr(obj, "pk") and obj.pk in (None, ""):
            return None
        value = getattr(obj, lookup_field)
        text = str(value)
        if PLAIN_LOOKUP.match(text):
            key = (view_name, lookup_url_kwarg, format)
            parts = self.around.get(key)
            if parts is None:
                url = reverse(view_name, kwargs={lookup_url_kwarg: PLACEHOLDER}, request=self.request, format=format)
                split = tuple(url.split(PLACEHOLDER))
                parts = self.around[key] = split if len(split) == 2 else ()
            if parts:
                return relations.Hyperlink(parts[0] + text + parts[1], obj)
        url = reverse(view_name, kwargs={lookup_url_kwarg: value}, request=self.request, format=format)
        return relations.Hyperlink(url, obj)


def read(field, attr):
    """The field's value as `Field.get_attribute` reads it from a model instance: the attribute,
    called if it is a plain callable; on a missing attribute, DRF's own rule (default, null, skip)."""

    def value(obj):
        try:
            found = getattr(obj, attr)
        except (AttributeError, KeyError, ObjectDoesNotExist):
            try:
                return field.get_attribute(obj)
            except SkipField:
                return SKIP
        if callable(found) and is_simple_callable(found):
            return found()
        return found

    return value


class FinishedRows:
    """A serializer whose rows are its fields' values and then what `finish_row(instance, data)`
    changes: the one override of `to_representation` a plan can follow."""

    def to_representation(self, instance):
        return self.finish_row(instance, super().to_representation(instance))

    def finish_row(self, instance, data):
        return data


class Plan:
    """One serializer's rows as dicts: a step per readable field, in the serializer's order."""

    def __init__(self, serializer):
        # What a serializer adds after its fields, it adds in `finish_row` (FinishedRows), called
        # on the plan's own instance: it must not need the request.
        own = type(serializer).to_representation
        if own not in (serializers.Serializer.to_representation, FinishedRows.to_representation):
            raise Unplannable(type(serializer).__name__)
        self.finish = serializer.finish_row if own is FinishedRows.to_representation else None
        self.steps = [(field.field_name, self.step(field)) for field in serializer._readable_fields]

    def row(self, obj, links):
        data = {}
        for name, step in self.steps:
            value = step(obj, links)
            if value is not SKIP:
                data[name] = value
        return data if self.finish is None else self.finish(obj, data)

    def rows(self, iterable, links):
        if isinstance(iterable, models.manager.BaseManager):
            iterable = iterable.all()
        return [self.row(obj, links) for obj in iterable]

    @classmethod
    def step(cls, field):
        if isinstance(field, serializers.SerializerMethodField | fields.HiddenField):
            raise Unplannable(field.field_name)
        if isinstance(field, relations.HyperlinkedIdentityField):
            return cls.identity(field)
        if field.source == "*" or len(field.source_attrs) != 1:
            raise Unplannable(field.field_name)
        value = read(field, field.source_attrs[0])
        prefetched = getattr(field, "prefetched", None)
        if isinstance(field, relations.ManyRelatedField):
            return cls.many_slugs(field, value, prefetched)
        if isinstance(field, serializers.ListSerializer):
            return cls.nested_list(field, value, prefetched)
        if isinstance(field, serializers.Serializer):
            return cls.nested(field, value)
        if type(field).get_attribute is not fields.Field.get_attribute and not isinstance(
            field, relations.SlugRelatedField
        ):
            raise Unplannable(field.field_name)  # reads its value its own way
        if isinstance(field, relations.SlugRelatedField) and "__" not in field.slug_field:
            slug = field.slug_field

            def slug_of(obj, links):
                related = value(obj)
                return related if related is None or related is SKIP else getattr(related, slug)

            return slug_of
        if isinstance(field, PLAIN_FIELDS) and not isinstance(field, relations.RelatedField):
            to_representation = field.to_representation

            def plain(obj, links):
                found = value(obj)
                return found if found is None or found is SKIP else to_representation(found)

            return plain
        raise Unplannable(field.field_name)

    @staticmethod
    def identity(field):
        if field.source != "*":
            raise Unplannable(field.field_name)
        view_name, lookup_field, kwarg, own_format = (
            field.view_name,
            field.lookup_field,
            field.lookup_url_kwarg,
            field.format,
        )

        def url(obj, links):
            return links.url(obj, view_name, lookup_field, kwarg, own_format)

        return url

    @staticmethod
    def prefetched_or(value, prefetched, obj):
        rows = getattr(obj, prefetched, None) if prefetched else None
        return value(obj) if rows is None else rows

    @classmethod
    def many_slugs(cls, field, value, prefetched):
        child = field.child_relation
        if not isinstance(child, relations.SlugRelatedField) or "__" in child.slug_field:
            raise Unplannable(field.field_name)
        slug = child.slug_field

        def slugs(obj, links):
            rows = getattr(obj, prefetched, None) if prefetched else None
            if rows is None:
                # ManyRelatedField.get_attribute: an unsaved record has none yet.
                if hasattr(obj, "pk") and obj.pk is None:
                    return []
                rows = value(obj)
                if rows is SKIP or rows is None:
                    return rows
                rows = rows.all() if hasattr(rows, "all") else rows
            return [getattr(row, slug) for row in rows]

        return slugs

    @classmethod
    def nested_list(cls, field, value, prefetched):
        plan = cls(field.child)

        def nested_rows(obj, links):
            rows = cls.prefetched_or(value, prefetched, obj)
            return rows if rows is None or rows is SKIP else plan.rows(rows, links)

        return nested_rows

    @classmethod
    def nested(cls, field, value):
        plan = cls(field)

        def nested_row(obj, links):
            related = value(obj)
            return related if related is None or related is SKIP else plan.row(related, links)

        return nested_row


class PlannedListSerializer(serializers.ListSerializer):
    """A list of records rendered by the child serializer's plan (made once per class, from a
    fresh instance of it, so no request is kept). Rows that are not model instances, and
    serializers the plan cannot read, are rendered by DRF."""

    plans: ClassVar[dict] = {}

    @classmethod
    def plan_for(cls, child_class):
        if child_class not in cls.plans:
            try:
                cls.plans[child_class] = Plan(child_class())
            except Unplannable:
                cls.plans[child_class] = None
        return cls.plans[child_class]

    def to_representation(self, data):
        iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
        rows = iterable if isinstance(iterable, list) else list(iterable)
        plan = self.plan_for(type(self.child))
        if plan is None or any(isinstance(row, Mapping) or not isinstance(row, models.Model) for row in rows):
            return super().to_representation(rows)
        links = Links(self.context.get("request"), self.context.get("format"))
        if links.request is None:
            return super().to_representation(rows)  # DRF's own assertion, in its words
        return [plan.row(row, links) for row in rows]
