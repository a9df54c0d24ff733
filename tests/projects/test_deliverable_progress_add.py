"""projects:deliverable_progress_add: the lead organisation's staff log how far a deliverable has
come (percent and note)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Deliverable, ProgressUpdate

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_progress_add", args=[d.project.slug, d.number])


@pytest.mark.parametrize("who", ["partner", "coordinator"])
def test_lead_partner_or_coordinator_adds_a_progress_update(
    client: Client, deliverable: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.post(
        url(deliverable), {"percent": 40, "note": "Two chapters drafted."}, follow=True
    )

    assert response.redirect_chain == [(deliverable.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Progress on D1.1 recorded: 40%."]
    update = ProgressUpdate.objects.get()
    assert (update.deliverable, update.percent, update.note, update.author, update.date) == (
        deliverable,
        40,
        "Two chapters drafted.",
        user,
        timezone.localdate(),
    )
    html = response.content.decode()
    assert "<strong>40%</strong>" in html and "Two chapters drafted." in html
    assert response.context["latest_percent"] == 40


def test_the_latest_update_sets_the_progress_shown(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    client.force_login(partner)
    client.post(url(deliverable), {"percent": 30, "note": "Outline."})
    response = client.post(url(deliverable), {"percent": 75, "note": "Draft."}, follow=True)
    assert response.context["latest_percent"] == 75
    assert ProgressUpdate.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"percent": 101, "note": "Too much."},
            "percent",
            "Ensure this value is less than or equal to 100.",
        ),
        (
            {"percent": -5, "note": "Too little."},
            "percent",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"percent": "half", "note": "Words."}, "percent", "Enter a whole number."),
        ({"percent": "", "note": "No number."}, "percent", "This field is required."),
        ({"percent": 50, "note": ""}, "note", "This field is required."),
    ],
)
def test_a_bad_update_is_refused_with_the_reason_at_its_field(
    client: Client, partner: User, deliverable: Deliverable, data: dict, field: str, message: str
) -> None:
    client.force_login(partner)
    response = client.post(url(deliverable), data)
    assert response.status_code == 422
    assert message in response.context["progress_form"].errors[field]
    assert message in response.content.decode()
    assert ProgressUpdate.objects.count() == 0


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403(
    client: Client, deliverable: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(deliverable), {"percent": 10, "note": "x"}).status_code == 403
    assert ProgressUpdate.objects.count() == 0


def test_outsider_gets_404(client: Client, outsider: User, deliverable: Deliverable) -> None:
    client.force_login(outsider)
    assert client.post(url(deliverable), {"percent": 10, "note": "x"}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, deliverable: Deliverable) -> None:
    response = client.post(url(deliverable), {"percent": 10, "note": "x"})
    assert response["Location"].startswith(reverse("account_login"))
    assert ProgressUpdate.objects.count() == 0


def test_get_is_not_allowed(client: Client, partner: User, deliverable: Deliverable) -> None:
    client.force_login(partner)
    assert client.get(url(deliverable)).status_code == 405
