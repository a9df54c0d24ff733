"""The recommendations as CSV: what the page shows with the same filters, every page of it."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from reports.models import ConferenceReport
from tests.events.factories import make_event, make_recommendation, make_report


def url(project: Project) -> str:
    return reverse("reports:recommendation_export", args=[project.slug])


def rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_export_follows_the_filters_and_spans_every_page(
    client: Client, observer: Any, project: Project
) -> None:
    conference = make_report(
        make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE),
        status=ConferenceReport.Status.PUBLISHED,
    )
    for n in range(60):
        make_recommendation(conference, text=f"Recommendation {n}", position=n)
    roundtable = make_report(
        make_event(project, title="Roundtable"), status=ConferenceReport.Status.PUBLISHED
    )
    make_recommendation(roundtable, text="From the roundtable")
    client.force_login(observer)
    response = client.get(url(project), {"kind": Event.Kind.FINAL_CONFERENCE})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="CO-RESP-recommendations-'
    )
    header, *data = rows(response)
    assert header == [
        "Recommendation", "Addressed to", "Event", "Event kind", "Event date", "Report by",
        "Published",
    ]  # fmt: skip
    assert len(data) == 60
    assert data[0] == [
        "Recommendation 0", "Policy makers", "Final conference", "Final conference",
        "2024-03-22", "CoopLab", "2024-04-01",
    ]  # fmt: skip


def test_formulas_are_not_exported_as_formulas(
    client: Client, partner: Any, project: Project
) -> None:
    report = make_report(make_event(project), status=ConferenceReport.Status.PUBLISHED)
    make_recommendation(report, text='=HYPERLINK("http://evil.example","click")')
    client.force_login(partner)
    (_, row) = rows(client.get(url(project)))
    assert row[0] == '\'=HYPERLINK("http://evil.example","click")'


def test_outsider_gets_404(client: Client, outsider: Any, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
