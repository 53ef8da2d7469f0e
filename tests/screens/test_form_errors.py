"""Forms say what is wrong beside the field it concerns, database rules included, and keep
what was typed."""

import datetime

import pytest

from alliances.models import Alliance
from tests.alliances.factories import AllianceFactory
from tests.alliances.test_admin import no_inline_rows

pytestmark = pytest.mark.django_db


def form_data(page) -> dict:
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in ((n, form[n].value()) for n in form.fields)}
    return {**data, **no_inline_rows(page)}


def test_an_alliance_ending_before_it_starts_is_an_error_beside_its_end(client, lead):
    alliance = AllianceFactory(name="BOREALIS", lead=lead, start_date=datetime.date(2026, 1, 1))
    client.force_login(lead)
    url = f"/admin/alliances/alliance/{alliance.pk}/change/"
    page = client.get(url)
    response = client.post(url, {**form_data(page), "end_date": "2025-06-30"})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["end_date"] == ["Must be on or after the start date."]
    assert "__all__" not in form.errors
    assert form["end_date"].value() == "2025-06-30"  # what was typed is kept
    assert Alliance.objects.get(pk=alliance.pk).end_date is None


def test_an_over_long_name_is_refused_not_cut(client, lead):
    alliance = AllianceFactory(name="BOREALIS", lead=lead)
    client.force_login(lead)
    url = f"/admin/alliances/alliance/{alliance.pk}/change/"
    page = client.get(url)
    response = client.post(url, {**form_data(page), "name": "N" * 500})
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Alliance.objects.get(pk=alliance.pk).name == "BOREALIS"


def test_leave_ending_before_it_starts_is_an_error_on_the_end(db):
    from django.core.exceptions import ValidationError

    from resourcing.models import LeavePeriod

    with pytest.raises(ValidationError) as refused:
        LeavePeriod(start=datetime.date(2026, 12, 10), end=datetime.date(2026, 12, 1)).clean()
    assert refused.value.message_dict == {"end": ["Must be on or after the start."]}
