"""Recording attendance: aggregate counts whose breakdowns add up, only once the event started."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from events.models import Attendance, Event
from projects.models import Project
from tests.events.factories import FUTURE_START, make_attendance, make_event


def url(event: Event) -> str:
    return reverse("events:attendance_edit", args=[event.project.slug, event.pk])


def post(client: Client, event: Event, **data: Any) -> Any:
    fields = {"total": "", "in_person": "", "online": "", "by_country": ""}
    fields.update({k: str(v) for k, v in data.items()})
    return client.post(url(event), fields)


def errors(response: Any) -> str:
    """Every error message on the refused form, as one string."""
    form = response.context["form"]
    return " ".join(str(m) for messages in form.errors.values() for m in messages)


def test_partner_records_attendance_with_all_breakdowns(
    client: Client, partner: Any, event: Event
) -> None:
    client.force_login(partner)
    response = post(
        client, event, total=30, in_person=30,
        public_authorities=10, social_economy=8, companies=4, dpo=3, experts=3,
        other_stakeholders=2, women=17, men=12, other_gender=1,
        by_country="BE: 20\nSpain: 6\nat 4",
    )  # fmt: skip
    assert response.status_code == 302
    attendance = Attendance.objects.get(event=event)
    assert attendance.total == 30
    assert attendance.by_country == {"BE": 20, "ES": 6, "AT": 4}
    assert attendance.recorded_by == partner
    page = client.get(event.get_absolute_url())
    assert b"30 participants" in page.content
    assert b"Organisations of persons with disabilities" in page.content


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"total": 30, "public_authorities": 10, "social_economy": 8, "companies": 4},
            "The stakeholder category breakdown adds up to 22: 8 fewer than the total of 30.",
        ),
        (
            {"total": 30, "women": 20, "men": 12},
            "The gender breakdown adds up to 32: 2 more than the total of 30.",
        ),
        (
            {"total": 30, "by_country": "BE: 25"},
            "The country breakdown adds up to 25: 5 fewer than the total of 30.",
        ),
        (
            {"total": 30, "in_person": 12, "online": 10},
            "The in person + online breakdown adds up to 22: 8 fewer than the total of 30.",
        ),
    ],
    ids=["stakeholders", "gender", "country", "in-person-and-online"],
)
def test_a_breakdown_that_does_not_add_up_is_refused_naming_it_and_the_difference(
    client: Client, partner: Any, event: Event, data: dict[str, Any], expected: str
) -> None:
    client.force_login(partner)
    response = post(client, event, **data)
    assert response.status_code == 422
    assert expected in errors(response)
    assert expected in response.content.decode()
    assert not Attendance.objects.filter(event=event).exists()


def test_hybrid_event_needs_in_person_plus_online_equal_to_the_total(
    client: Client, partner: Any, project: Project
) -> None:
    event = make_event(project, format=Event.Format.HYBRID)
    client.force_login(partner)
    response = post(client, event, total=100, in_person=60, online=45)
    assert response.status_code == 422
    assert (
        "The in person + online breakdown adds up to 105: 5 more than the total of 100."
        in errors(response)
    )
    assert not Attendance.objects.filter(event=event).exists()


def test_hybrid_event_needs_both_numbers(client: Client, partner: Any, project: Project) -> None:
    event = make_event(project, format=Event.Format.HYBRID)
    client.force_login(partner)
    response = post(client, event, total=100, in_person=100)
    assert response.status_code == 422
    assert "online" in errors(response).lower()
    assert not Attendance.objects.filter(event=event).exists()


def test_attendance_for_a_future_event_is_refused(
    client: Client, partner: Any, project: Project
) -> None:
    event = make_event(project, starts_at=FUTURE_START)
    client.force_login(partner)
    page = client.get(url(event))
    assert b"has not started yet" in page.content
    response = post(client, event, total=10)
    assert response.status_code == 422
    assert "Attendance can only be recorded once the event has started" in errors(response)
    assert "10 June 2099 at 10:00 (Europe/Brussels)" in errors(response)
    assert not Attendance.objects.filter(event=event).exists()


def test_model_refuses_the_same_things_outside_the_form(project: Project) -> None:
    """The rules live on the model, so admin and demo data obey them too."""
    event = make_event(project, format=Event.Format.HYBRID)
    with pytest.raises(ValidationError) as raised:
        Attendance(event=event, total=10, in_person=4, online=4, women=3).full_clean()
    messages = raised.value.message_dict
    assert messages["online"] == [
        "The in person + online breakdown adds up to 8: 2 fewer than the total of 10."
    ]
    assert messages["other_gender"] == [
        "The gender breakdown adds up to 3: 7 fewer than the total of 10."
    ]


def test_unknown_country_is_refused(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    response = post(client, event, total=10, by_country="Atlantis: 10")
    assert response.status_code == 422
    assert "'Atlantis' is not a country we know" in errors(response)


def test_correcting_figures_keeps_history_and_refuses_a_stale_form(
    client: Client, partner: Any, coordinator: Any, event: Event
) -> None:
    attendance = make_attendance(event, total=20)
    client.force_login(partner)
    response = post(client, event, total=25, version=attendance.version)
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.total == 25
    # A second form loaded before that correction is stale.
    client.force_login(coordinator)
    response = post(client, event, total=30, version=attendance.version - 1)
    assert response.status_code == 409
    attendance.refresh_from_db()
    assert attendance.total == 25
    page = client.get(event.get_absolute_url())
    assert b"Attendance corrected" in page.content


def test_blank_breakdowns_are_allowed(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    assert post(client, event, total=12).status_code == 302
    assert Attendance.objects.get(event=event).by_country == {}


def test_event_that_started_but_has_not_ended_takes_attendance(
    client: Client, partner: Any, project: Project
) -> None:
    from django.utils import timezone

    now = timezone.now()
    event = make_event(
        project, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2)
    )
    client.force_login(partner)
    assert post(client, event, total=12).status_code == 302


def test_a_stale_correction_keeps_the_input_against_the_current_figures(
    client: Client, partner: Any, coordinator: Any, event: Event
) -> None:
    attendance = make_attendance(event, total=20)
    client.force_login(coordinator)
    assert post(client, event, total=25, version=1).status_code == 302

    client.force_login(partner)
    response = post(client, event, total=30, version=1)

    assert response.status_code == 409
    form = response.context["form"]
    assert form.non_field_errors() == [
        "Someone else saved these figures while you were editing them. Your figures are below "
        "and are not saved: compare them with the event's page, then save again to keep yours."
    ]
    assert form["total"].value() == "30"  # theirs to compare, this input kept
    assert form["version"].value() == "2"  # saving again is a deliberate overwrite
    attendance.refresh_from_db()
    assert (attendance.total, attendance.version) == (25, 2)
    assert post(client, event, total=30, version=2).status_code == 302


def test_a_first_recording_racing_another_is_refused_and_theirs_kept(
    client: Client, partner: Any, coordinator: Any, event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both opened the empty form; the coordinator's figures were saved a moment before."""
    save_edit = Attendance.save_edit

    def theirs_first(attendance: Attendance, *args: Any, **kwargs: Any) -> None:
        make_attendance(event, total=18, recorded_by=coordinator)
        save_edit(attendance, *args, **kwargs)

    monkeypatch.setattr(Attendance, "save_edit", theirs_first)
    client.force_login(partner)

    response = post(client, event, total=20)

    assert response.status_code == 409
    form = response.context["form"]
    assert form["total"].value() == "20"
    assert form["version"].value() == "1"  # now against the coordinator's record
    stored = Attendance.objects.get(event=event)
    assert (stored.total, stored.recorded_by, stored.version) == (18, coordinator, 1)
