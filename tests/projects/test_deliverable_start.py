"""projects:deliverable_start: the lead organisation's staff mark a planned deliverable as in
preparation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_start", args=[d.project.slug, d.number])


def fresh(d: Deliverable) -> Deliverable:
    return Deliverable.objects.get(pk=d.pk)


@pytest.mark.parametrize("who", ["partner", "coordinator"])
def test_lead_partner_or_coordinator_starts_work(
    client: Client, deliverable: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.post(url(deliverable), {"version": 1}, follow=True)

    assert response.redirect_chain == [(deliverable.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Work on D1.1 has started."]
    stored = fresh(deliverable)
    assert (stored.status, stored.version) == (Deliverable.Status.IN_PREPARATION, 2)
    record = stored.history.latest("history_id")
    assert (record.history_change_reason, record.history_user) == ("Work started", user)


def test_work_in_preparation_cannot_be_started_again(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.IN_PREPARATION)
    client.force_login(partner)
    response = client.post(url(deliverable), {"version": 1})
    assert response.status_code == 422
    assert "D1.1 is in preparation: it cannot be started now." in response.content.decode()
    assert fresh(deliverable).version == 1


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403(
    client: Client, deliverable: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(deliverable), {"version": 1}).status_code == 403
    assert fresh(deliverable).status == Deliverable.Status.PLANNED


def test_outsider_gets_404(client: Client, outsider: User, deliverable: Deliverable) -> None:
    client.force_login(outsider)
    assert client.post(url(deliverable), {"version": 1}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, deliverable: Deliverable) -> None:
    response = client.post(url(deliverable), {"version": 1})
    assert response["Location"].startswith(reverse("account_login"))


def test_get_is_not_allowed(client: Client, partner: User, deliverable: Deliverable) -> None:
    client.force_login(partner)
    assert client.get(url(deliverable)).status_code == 405
