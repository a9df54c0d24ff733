"""Writing a conference report: the report and its recommendations in one form, saved together
or not at all; figures come from the event's attendance."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from reports.models import ConferenceReport, Recommendation
from tests.events.factories import make_attendance, make_event, make_recommendation, make_report

PREFIX = "recommendations"


def url(event: Event) -> str:
    return reverse("reports:conference_report_edit", args=[event.project.slug, event.pk])


def form_data(
    recommendations: list[dict[str, Any]], *, initial: int = 0, **fields: Any
) -> dict[str, Any]:
    """The report form's fields and its recommendations formset (rows in order)."""
    data: dict[str, Any] = {
        "summary": "", "key_messages": "", "success_stories": "", "challenges": "",
        "lessons_learned": "", "next_steps": "",
        f"{PREFIX}-TOTAL_FORMS": str(len(recommendations)),
        f"{PREFIX}-INITIAL_FORMS": str(initial),
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(fields)
    for i, row in enumerate(recommendations):
        for key, value in row.items():
            data[f"{PREFIX}-{i}-{key}"] = value
    return data


@pytest.fixture
def event(project: Project) -> Event:
    return make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE)


def test_partner_writes_a_draft_with_recommendations(
    client: Client, partner: Any, event: Event
) -> None:
    client.force_login(partner)
    response = client.post(
        url(event),
        form_data(
            [
                {
                    "text": "Adopt a clear framework for social clauses.",
                    "audience": "policy_makers",
                },
                {"text": "Work with employers early.", "audience": "all"},
                {"text": "", "audience": ""},  # an empty extra row is skipped
            ],
            summary="Partners and buyers met in Brussels.",
            key_messages="Social clauses work\n- Data is scarce",
        ),
    )
    assert response.status_code == 302
    report = ConferenceReport.objects.get(event=event)
    assert report.status == ConferenceReport.Status.DRAFT
    assert report.author == event.organiser
    assert report.key_message_list == ["Social clauses work", "Data is scarce"]
    assert [(r.position, r.audience) for r in report.recommendations.all()] == [
        (1, "policy_makers"),
        (2, "all"),
    ]


def test_a_bad_recommendation_saves_nothing(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    response = client.post(
        url(event),
        form_data(
            [
                {"text": "Fine one.", "audience": "policy_makers"},
                {"text": "No audience given.", "audience": ""},
            ],
            summary="A summary.",
        ),
    )
    assert response.status_code == 422
    assert response.context["formset"].errors[1] == {"audience": ["This field is required."]}
    assert not ConferenceReport.objects.exists()
    assert not Recommendation.objects.exists()


def test_a_failure_while_saving_recommendations_rolls_the_report_back(
    client: Client, partner: Any, event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = make_report(event, summary="Before.")
    make_recommendation(report, text="Old one.")
    client.force_login(partner)

    def broken_save(self: Recommendation, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Recommendation, "save", broken_save)
    existing = report.recommendations.get()
    data = form_data(
        [{"id": existing.pk, "text": "Changed.", "audience": "all"}],
        initial=1,
        summary="After.",
        version=report.version,
    )
    client.raise_request_exception = False
    response = client.post(url(event), data)
    assert response.status_code == 500
    report.refresh_from_db()
    assert report.summary == "Before."
    assert report.version == 1
    assert report.recommendations.get().text == "Old one."


def test_edit_deletes_and_renumbers(client: Client, partner: Any, event: Event) -> None:
    report = make_report(event)
    first = make_recommendation(report, text="First.", position=1)
    second = make_recommendation(report, text="Second.", position=2)
    client.force_login(partner)
    data = form_data(
        [
            {"id": first.pk, "text": "First.", "audience": "policy_makers", "DELETE": "on"},
            {"id": second.pk, "text": "Second.", "audience": "policy_makers"},
            {"text": "Third.", "audience": "social_economy"},
        ],
        initial=2,
        summary="Summary.",
        version=report.version,
    )
    assert client.post(url(event), data).status_code == 302
    assert [(r.position, r.text) for r in report.recommendations.all()] == [
        (1, "Second."),
        (2, "Third."),
    ]


def test_stale_edit_is_refused(client: Client, partner: Any, event: Event) -> None:
    report = make_report(event, summary="Theirs.")
    report.save_edit(report.version)  # someone saved after our form was loaded
    client.force_login(partner)
    response = client.post(url(event), form_data([], summary="Ours.", version=1))
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.summary == "Theirs."


def test_page_shows_the_event_attendance_not_a_copy(
    client: Client, partner: Any, event: Event
) -> None:
    make_attendance(event, total=112, in_person=70, online=42)
    client.force_login(partner)
    html = client.get(url(event)).content.decode()
    assert "112 participants" in html
    assert "70 in person, 42 online" in html
    assert "total" not in response_fields(client, event)


def response_fields(client: Client, event: Event) -> list[str]:
    return list(client.get(url(event)).context["form"].fields)


def test_a_report_in_review_is_not_edited(client: Client, partner: Any, event: Event) -> None:
    make_report(event, status=ConferenceReport.Status.IN_REVIEW, summary="Sent.")
    client.force_login(partner)
    response = client.post(url(event), form_data([], summary="Changed behind the reviewer."))
    assert response.status_code == 302
    assert ConferenceReport.objects.get().summary == "Sent."


def test_other_partner_cannot_write(client: Client, other_partner: Any, event: Event) -> None:
    client.force_login(other_partner)
    assert client.get(url(event)).status_code == 403
    assert client.post(url(event), form_data([], summary="x")).status_code == 403
    assert not ConferenceReport.objects.exists()


def test_a_stale_edit_keeps_the_input_over_their_version(
    client: Client, partner: Any, event: Event
) -> None:
    report = make_report(event, summary="Theirs.")
    report.save_edit(report.version)
    client.force_login(partner)

    response = client.post(url(event), form_data([], summary="Ours.", version=1))

    assert response.status_code == 409
    form = response.context["form"]
    assert form["summary"].value() == "Ours."
    assert form["version"].value() == str(report.version)
    assert "Someone else changed this report" in response.content.decode()
