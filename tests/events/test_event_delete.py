"""Deleting an event entered by mistake: asked first, its files go, reported events stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from events.models import Event, Material
from tests.events.factories import make_event, make_file, make_report


def url(event: Event) -> str:
    return reverse("events:event_delete", args=[event.project.slug, event.pk])


def test_the_page_asks_before_anything_is_deleted(
    client: Client, coordinator: Any, project: Any
) -> None:
    event = make_event(project, title="Webinar entered twice")
    client.force_login(coordinator)

    response = client.get(url(event))

    assert response.status_code == 200
    assert "Delete this event?" in response.content.decode()
    assert Event.objects.filter(pk=event.pk).exists()


def test_deleting_removes_the_event_and_its_files(
    client: Client, partner: Any, project: Any, private_media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    event = make_event(project, title="Webinar entered twice")  # organised by P2, partner's
    material = make_file(event, added_by=partner)
    stored = private_media / str(material.file.name)
    assert stored.exists()
    client.force_login(partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(event))

    assert response.status_code == 302
    assert response["Location"] == reverse("events:event_list", args=[project.slug])
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not stored.exists()


def test_an_event_with_a_conference_report_stays_on_record(
    client: Client, coordinator: Any, project: Any
) -> None:
    event = make_event(project)
    make_report(event)
    client.force_login(coordinator)

    response = client.post(url(event), follow=True)

    assert Event.objects.filter(pk=event.pk).exists()
    assert "Mark it cancelled instead." in response.content.decode()


def test_another_partner_and_the_observer_cannot_delete(
    client: Client, other_partner: Any, observer: Any, outsider: Any, project: Any
) -> None:
    event = make_event(project)
    for user, status in ((other_partner, 403), (observer, 403), (outsider, 404)):
        client.force_login(user)
        assert client.post(url(event)).status_code == status
    assert Event.objects.filter(pk=event.pk).exists()
