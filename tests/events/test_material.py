"""Materials: files under the same rules as deliverable versions, and links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from events.models import Event, Material
from tests.events.factories import PDF_BYTES, make_file, make_link


def upload_url(event: Event) -> str:
    return reverse("events:material_upload", args=[event.project.slug, event.pk])


def test_partner_uploads_slides_and_anyone_in_the_project_downloads_them(
    client: Client, partner: Any, observer: Any, event: Event, private_media: Path
) -> None:
    client.force_login(partner)
    response = client.post(
        upload_url(event),
        {
            "upload-kind": "slides",
            "upload-title": "",
            "upload-file": SimpleUploadedFile("../../Keynote slides.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.title == "Keynote_slides.pdf"
    assert material.content_type == "application/pdf"
    # Stored under a generated name, in private storage.
    assert "Keynote" not in str(material.file.name)
    assert (private_media / str(material.file.name)).exists()
    client.force_login(observer)
    download = client.get(
        reverse("events:material_download", args=[event.project.slug, event.pk, material.pk])
    )
    assert download.status_code == 200
    assert download.getvalue() == PDF_BYTES
    assert download["Content-Disposition"] == 'attachment; filename="Keynote_slides.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_file_of_a_refused_type_is_refused(
    client: Client, partner: Any, event: Event, private_media: Path
) -> None:
    client.force_login(partner)
    response = client.post(
        upload_url(event),
        {
            "upload-kind": "slides",
            "upload-file": SimpleUploadedFile("slides.pdf", b"#!/bin/sh\necho hi\n"),
        },
    )
    assert response.status_code == 422
    assert "This type of file is not accepted" in str(response.context["upload_form"].errors)
    assert not Material.objects.exists()
    assert not any(private_media.rglob("*.*"))


def test_link_is_added_and_has_no_download(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    response = client.post(
        reverse("events:material_link_add", args=[event.project.slug, event.pk]),
        {
            "link-kind": "press",
            "link-title": "Article in the local paper",
            "link-url": "https://news.example.org/a",
        },
    )
    assert response.status_code == 302
    link = Material.objects.get()
    assert link.is_link
    download = reverse("events:material_download", args=[event.project.slug, event.pk, link.pk])
    assert client.get(download).status_code == 404


def test_link_needs_an_address(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    response = client.post(
        reverse("events:material_link_add", args=[event.project.slug, event.pk]),
        {"link-kind": "press", "link-title": "No address", "link-url": ""},
    )
    assert response.status_code == 422
    assert not Material.objects.exists()


def test_delete_removes_the_file_after_commit(
    client: Client,
    partner: Any,
    event: Event,
    private_media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    material = make_file(event, added_by=partner)
    path = private_media / str(material.file.name)
    assert path.exists()
    client.force_login(partner)
    url = reverse("events:material_delete", args=[event.project.slug, event.pk, material.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Material.objects.exists()
    assert not path.exists()


def test_other_partner_cannot_delete(
    client: Client, other_partner: Any, coordinator: Any, event: Event
) -> None:
    link = make_link(event, added_by=coordinator)
    client.force_login(other_partner)
    url = reverse("events:material_delete", args=[event.project.slug, event.pk, link.pk])
    assert client.post(url).status_code == 403
    assert Material.objects.filter(pk=link.pk).exists()


def test_rolled_back_delete_keeps_the_file(partner: Any, event: Event, private_media: Path) -> None:
    from events.workflows import delete_material

    material = make_file(event, added_by=partner)
    path, pk = private_media / str(material.file.name), material.pk

    class Abort(Exception):
        pass

    try:
        with transaction.atomic():
            delete_material(material)
            raise Abort
    except Abort:
        pass
    assert path.exists()
    assert Material.objects.filter(pk=pk).exists()
