"""projects:deliverable_record_submission: the coordinator records the date an approved
deliverable went to the funder; a late one needs a justification."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Deliverable

pytestmark = pytest.mark.django_db

DUE = dt.date(2023, 3, 31)  # D1.1 is due in M6 of a project starting in October 2022


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_record_submission", args=[d.project.slug, d.number])


def fresh(d: Deliverable) -> Deliverable:
    return Deliverable.objects.get(pk=d.pk)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def approved(deliverable: Deliverable) -> Deliverable:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.APPROVED)
    return fresh(deliverable)


@pytest.fixture
def cora(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


@pytest.mark.parametrize("on", [DUE, DUE - dt.timedelta(days=20)], ids=["on-the-due-date", "early"])
def test_coordinator_records_a_submission_on_time(
    cora: Client, coordinator: User, approved: Deliverable, on: dt.date
) -> None:
    response = cora.post(
        url(approved), {"version": approved.version, "submitted_date": on}, follow=True
    )

    assert response.redirect_chain == [(approved.get_absolute_url(), 302)]
    assert messages_of(response) == ["Submission of D1.1 to the funder recorded."]
    stored = fresh(approved)
    assert stored.status == Deliverable.Status.SUBMITTED
    assert stored.submitted_date == on
    assert stored.delay_days is None
    assert stored.delay_justification == ""
    record = stored.history.latest("history_id")
    assert (record.history_change_reason, record.history_user) == (
        "Submitted to the funder",
        coordinator,
    )
    assert "Submitted to the funder. Nothing more to do." in response.content.decode()


def test_a_late_submission_with_a_justification_is_recorded_and_shown_as_late(
    cora: Client, approved: Deliverable
) -> None:
    response = cora.post(
        url(approved),
        {
            "version": approved.version,
            "submitted_date": "2023-04-10",
            "delay_justification": "  The funder's portal was down for a week. ",
        },
        follow=True,
    )

    stored = fresh(approved)
    assert stored.status == Deliverable.Status.SUBMITTED
    assert stored.delay_days == 10
    assert stored.delay_justification == "The funder's portal was down for a week."
    html = response.content.decode()
    assert 'badge badge-late">Late' in html
    assert "The funder&#x27;s portal was down for a week." in html


def test_a_late_submission_without_a_justification_is_refused(
    cora: Client, approved: Deliverable
) -> None:
    response = cora.post(
        url(approved), {"version": approved.version, "submitted_date": "2023-04-01"}
    )

    assert response.status_code == 422
    assert response.context["submission_form"].errors["delay_justification"] == [
        "Submitted 1 day after the due date (31 March 2023): explain the delay."
    ]
    stored = fresh(approved)
    assert (stored.status, stored.submitted_date, stored.version) == (
        Deliverable.Status.APPROVED,
        None,
        approved.version,
    )


def test_a_date_in_the_future_is_refused(cora: Client, approved: Deliverable) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = cora.post(
        url(approved),
        {"version": approved.version, "submitted_date": tomorrow, "delay_justification": "x"},
    )
    assert response.status_code == 422
    assert response.context["submission_form"].errors["submitted_date"] == [
        "The submission date is in the future."
    ]
    assert fresh(approved).status == Deliverable.Status.APPROVED


def test_a_missing_or_malformed_date_is_refused(cora: Client, approved: Deliverable) -> None:
    for value in ["", "31/03/2023", "2023-02-30"]:
        response = cora.post(url(approved), {"version": approved.version, "submitted_date": value})
        assert response.status_code == 422, value
        assert response.context["submission_form"].errors["submitted_date"]
    assert fresh(approved).status == Deliverable.Status.APPROVED


@pytest.mark.parametrize(
    "status",
    [
        Deliverable.Status.IN_REVIEW,
        Deliverable.Status.CHANGES_REQUESTED,
        Deliverable.Status.SUBMITTED,
    ],
)
def test_only_an_approved_deliverable_can_be_recorded_as_submitted(
    cora: Client, deliverable: Deliverable, status: str
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=status)
    response = cora.post(url(deliverable), {"version": 1, "submitted_date": DUE})
    assert response.status_code == 422
    label = Deliverable.Status(status).label.lower()
    assert f"D1.1 is {label}: it cannot be" in response.content.decode()
    stored = fresh(deliverable)
    assert (stored.status, stored.submitted_date) == (status, None)


def test_a_stale_version_is_refused_with_a_message_and_changes_nothing(
    cora: Client, approved: Deliverable
) -> None:
    Deliverable.objects.filter(pk=approved.pk).update(version=approved.version + 1)
    response = cora.post(
        url(approved), {"version": approved.version, "submitted_date": DUE}, follow=True
    )
    assert messages_of(response)[0].startswith("Someone else changed this deliverable")
    assert fresh(approved).submitted_date is None


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_records_submissions(
    client: Client, approved: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(approved), {"version": approved.version, "submitted_date": DUE})
    assert response.status_code == 403
    assert fresh(approved).status == Deliverable.Status.APPROVED


def test_outsider_gets_404(client: Client, outsider: User, approved: Deliverable) -> None:
    client.force_login(outsider)
    assert client.post(url(approved), {"version": 1, "submitted_date": DUE}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, approved: Deliverable) -> None:
    response = client.post(url(approved), {"version": 1, "submitted_date": DUE})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_get_is_not_allowed(cora: Client, approved: Deliverable) -> None:
    assert cora.get(url(approved)).status_code == 405
