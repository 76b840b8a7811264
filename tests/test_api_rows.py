"""The list pages' row plans (commitments/api/rows.py) give what DRF's serializers give, and leave
to DRF what they cannot read as DRF would."""

from rest_framework import serializers as drf
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from commitments import models
from commitments.api import serializers
from commitments.api.rows import FinishedRows, Plan, PlannedListSerializer, Unplannable


def request():
    return Request(APIRequestFactory().get("/api/states/"))


def both(child_class, rows):
    """The rows as the plan renders them and as DRF's own ListSerializer does."""
    context = {"request": request()}
    planned = PlannedListSerializer(rows, child=child_class(), context=context).data
    stock = drf.ListSerializer(rows, child=child_class(), context=context).data
    return planned, stock


STATES = [
    models.State(id=1, code="FR", name="France", kind="state", notes=""),
    # A code a URL must quote: its address comes from reverse() itself, not the shared prefix.
    models.State(id=2, code="X Y", name="Somewhere", kind="organisation", notes="ü"),
]


def test_a_plan_renders_rows_as_drf_does_addresses_included():
    assert PlannedListSerializer.plan_for(serializers.StateSerializer) is not None
    planned, stock = both(serializers.StateSerializer, STATES)
    assert planned == stock
    assert planned[1]["url"] == "http://testserver/api/states/X%20Y/"
    assert [list(row) for row in planned] == [list(row) for row in stock]  # the fields' order


class WithMethod(drf.ModelSerializer):
    shout = drf.SerializerMethodField()

    class Meta:
        model = models.State
        fields = ["code", "shout"]

    def get_shout(self, state):
        return state.name.upper()


class OwnRows(drf.ModelSerializer):
    class Meta:
        model = models.State
        fields = ["code"]

    def to_representation(self, instance):
        return {"code": instance.code.lower()}


class Finished(FinishedRows, drf.ModelSerializer):
    class Meta:
        model = models.State
        fields = ["code", "name"]

    def finish_row(self, instance, data):
        data["name"] = data["name"][:3]
        return data


def test_a_serializer_the_plan_cannot_follow_is_rendered_by_drf():
    for child_class in (WithMethod, OwnRows):
        assert PlannedListSerializer.plan_for(child_class) is None
        planned, stock = both(child_class, STATES)
        assert planned == stock


def test_finish_row_is_applied_after_the_fields():
    planned, stock = both(Finished, STATES)
    assert planned == stock == [{"code": "FR", "name": "Fra"}, {"code": "X Y", "name": "Som"}]


def test_a_nested_serializer_with_its_own_rows_is_not_planned():
    class Outer(drf.ModelSerializer):
        own = OwnRows(source="*")

        class Meta:
            model = models.State
            fields = ["own"]

    try:
        Plan(Outer())
    except Unplannable:
        pass
    else:
        raise AssertionError("planned a field the plan cannot read as DRF does")
