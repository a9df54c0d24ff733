"""Bad input: each refusal says clearly what is wrong and changes nothing, neither in the database
nor in private storage.

"Nothing changed" is checked on the row counts, on the object's stored fields (and its version,
so a refused save did not move it) and on the files in the temporary private storage.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Deliverable, DeliverableVersion, Project, Risk, WorkPackage
from tests.factories import make_deliverable, make_risk, make_work_package

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(response.content.decode())


def stored(deliverable: Deliverable) -> dict[str, Any]:
    fresh = Deliverable.objects.get(pk=deliverable.pk)
    return {**model_to_dict(fresh), "version": fresh.version, "due_date": fresh.due_date}


# --- uploads ----------------------------------------------------------------------------------


def upload_url(d: Deliverable) -> str:
    return reverse("projects:deliverable_version_upload", args=[d.project.slug, d.number])


@pytest.fixture
def uploader(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def refused_upload(
    client: Client,
    deliverable: Deliverable,
    stored_files: Callable[[], list[Path]],
    upload: SimpleUploadedFile,
) -> str:
    """Post `upload`; check that it was refused and left nothing behind; return the page text."""
    before = stored(deliverable)
    response = client.post(upload_url(deliverable), {"note": "final", "file": upload})
    assert response.status_code == 422
    assert DeliverableVersion.objects.count() == 0
    assert stored_files() == []
    assert stored(deliverable) == before
    page = text(response)
    assert "field-error" in page  # the message sits at the file field
    return page


def test_an_upload_over_the_size_limit_is_refused(
    uploader: Client,
    deliverable: Deliverable,
    stored_files: Callable[[], list[Path]],
    pdf_bytes: bytes,
    settings: Any,
) -> None:
    settings.MAX_UPLOAD_SIZE = 1024
    big = pdf_bytes + b"%" + b"x" * (3 * 1024 - len(pdf_bytes) - 2) + b"\n"  # a 3 KB PDF
    before = stored(deliverable)
    upload = SimpleUploadedFile("report.pdf", big, "application/pdf")

    response = uploader.post(upload_url(deliverable), {"note": "final", "file": upload})

    # Stopped while reading (coresp.uploads): 413, nothing stored.
    assert response.status_code == 413
    assert DeliverableVersion.objects.count() == 0
    assert stored_files() == []
    assert stored(deliverable) == before
    assert "Files may be at most 1.0\xa0KB. The upload was stopped and nothing was saved." in text(
        response
    )


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b"\x7fELF\x02\x01\x01\x00", "application/x-executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "application/x-msdownload"),
    ],
    ids=["elf", "windows-exe"],
)
def test_an_executable_renamed_pdf_is_refused(
    uploader: Client,
    deliverable: Deliverable,
    stored_files: Callable[[], list[Path]],
    head: bytes,
    found: str,
) -> None:
    program = SimpleUploadedFile("report.pdf", head + b"\x00" * 512, "application/pdf")
    page = refused_upload(uploader, deliverable, stored_files, program)
    assert f"This type of file is not accepted (its content is {found})." in page
    assert "Upload a PDF, Word, Excel, PowerPoint, OpenDocument" in page


def test_an_html_file_sent_as_an_image_is_refused(
    uploader: Client, deliverable: Deliverable, stored_files: Callable[[], list[Path]]
) -> None:
    markup = b"<html><script>fetch('/admin/').then(r => r.text())</script></html>"
    page = refused_upload(
        uploader, deliverable, stored_files, SimpleUploadedFile("x.png", markup, "image/png")
    )
    assert "This type of file is not accepted. Upload a PDF" in page


def test_an_empty_file_is_refused(
    uploader: Client, deliverable: Deliverable, stored_files: Callable[[], list[Path]]
) -> None:
    page = refused_upload(
        uploader, deliverable, stored_files, SimpleUploadedFile("empty.pdf", b"", "application/pdf")
    )
    assert "The submitted file is empty." in page


def test_an_upload_without_a_file_is_refused(
    uploader: Client, deliverable: Deliverable, stored_files: Callable[[], list[Path]]
) -> None:
    response = uploader.post(upload_url(deliverable), {"note": "forgot the file"})
    assert response.status_code == 422
    assert "This field is required." in text(response)
    assert DeliverableVersion.objects.count() == 0
    assert stored_files() == []


# --- deliverable numbers and months -----------------------------------------------------------


@pytest.fixture
def planner(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


def create_url(project: Project) -> str:
    return reverse("projects:deliverable_create", args=[project.slug])


def edit_url(d: Deliverable) -> str:
    return reverse("projects:deliverable_edit", args=[d.project.slug, d.number])


def deliverable_data(work_package: WorkPackage, **changes: Any) -> dict[str, Any]:
    data = {
        "number": "D1.2",
        "title": "Quality plan",
        "work_package": work_package.pk,
        "lead": work_package.lead_id,
        "type": Deliverable.Type.R,
        "dissemination": Deliverable.Dissemination.PU,
        "due_month": 4,
        "description": "How the consortium checks its outputs.",
    }
    data.update(changes)
    return data


def refused_create(client: Client, project: Project, data: dict[str, Any]) -> str:
    count = Deliverable.objects.count()
    history = Deliverable.history.count()
    response = client.post(create_url(project), data)
    assert response.status_code == 422
    assert Deliverable.objects.count() == count
    assert Deliverable.history.count() == history
    return text(response)


def test_a_due_month_beyond_the_project_is_refused_on_create(
    planner: Client, project: Project, work_package: WorkPackage
) -> None:
    page = refused_create(planner, project, deliverable_data(work_package, due_month=19))
    assert "M19 is outside the project, which runs M1-M18." in page


def test_a_due_month_zero_is_refused_on_create(
    planner: Client, project: Project, work_package: WorkPackage
) -> None:
    """M0 would be the month before the project starts."""
    page = refused_create(planner, project, deliverable_data(work_package, due_month=0))
    assert "outside the project, which runs M1-M18." in page


def test_a_due_month_beyond_the_project_is_refused_on_edit(
    planner: Client, deliverable: Deliverable, work_package: WorkPackage
) -> None:
    before = stored(deliverable)
    data = deliverable_data(
        work_package, number="D1.1", due_month=25, version=deliverable.version, title="Handbook"
    )
    response = planner.post(edit_url(deliverable), data)
    assert response.status_code == 422
    assert "M25 is outside the project, which runs M1-M18." in text(response)
    assert stored(deliverable) == before


def test_a_duplicate_number_is_refused_on_create(
    planner: Client, project: Project, deliverable: Deliverable, work_package: WorkPackage
) -> None:
    page = refused_create(planner, project, deliverable_data(work_package, number="D1.1"))
    assert "D1.1 already exists in this project." in page
    assert Deliverable.objects.get(number="D1.1").title == "Project handbook"


def test_a_duplicate_number_is_refused_on_edit(
    planner: Client, deliverable: Deliverable, work_package: WorkPackage
) -> None:
    other = make_deliverable(work_package, number="D1.2", title="Quality plan")
    before = stored(other)
    data = deliverable_data(work_package, number="D1.1", version=other.version)
    response = planner.post(edit_url(other), data)
    assert response.status_code == 422
    assert "D1.1 already exists in this project." in text(response)
    assert stored(other) == before


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("D9", "Write the number as D<work package>.<n>, for example D2.1."),
        ("X1.1", "Write the number as D<work package>.<n>, for example D2.1."),
        ("D1.1.1", "Write the number as D<work package>.<n>, for example D2.1."),
        ("", "This field is required."),
        ("D2.1", "D2.1 does not belong to WP1: its number should start with D1."),
    ],
)
def test_a_malformed_number_is_refused(
    planner: Client, project: Project, work_package: WorkPackage, number: str, message: str
) -> None:
    make_work_package(project, number=2, lead=work_package.lead)  # D2.1 exists as a pattern
    page = refused_create(planner, project, deliverable_data(work_package, number=number))
    assert message in page


def test_a_malformed_number_with_a_slash_is_refused_on_edit_without_an_error_page(
    planner: Client, deliverable: Deliverable, work_package: WorkPackage
) -> None:
    """A number that cannot be part of an address must not break the refused form's links."""
    before = stored(deliverable)
    data = deliverable_data(work_package, number="D1/1", version=deliverable.version)
    response = planner.post(edit_url(deliverable), data)
    assert response.status_code == 422
    assert "Write the number as D<work package>.<n>" in text(response)
    assert stored(deliverable) == before


# --- review cycle -----------------------------------------------------------------------------


def test_a_late_submission_without_justification_is_refused(
    planner: Client, deliverable: Deliverable
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.APPROVED)
    before = stored(deliverable)
    url = reverse("projects:deliverable_record_submission", args=[deliverable.project.slug, "D1.1"])
    # Due 31 March 2023 (M6); sent on 10 April 2023, ten days late.
    response = planner.post(
        url,
        {"version": before["version"], "submitted_date": "2023-04-10", "delay_justification": " "},
    )
    assert response.status_code == 422
    assert "Submitted 10 days after the due date (31 March 2023): explain the delay." in text(
        response
    )
    assert stored(deliverable) == before


def test_a_submission_date_in_the_future_is_refused(
    planner: Client, deliverable: Deliverable
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.APPROVED)
    before = stored(deliverable)
    url = reverse("projects:deliverable_record_submission", args=[deliverable.project.slug, "D1.1"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = planner.post(
        url,
        {"version": before["version"], "submitted_date": tomorrow, "delay_justification": "x"},
    )
    assert response.status_code == 422
    assert "The submission date is in the future." in text(response)
    assert stored(deliverable) == before


@pytest.mark.parametrize("comment", ["", "   \n  "])
def test_a_request_for_changes_without_a_comment_is_refused(
    planner: Client, deliverable: Deliverable, comment: str
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.IN_REVIEW)
    before = stored(deliverable)
    url = reverse("projects:deliverable_request_changes", args=[deliverable.project.slug, "D1.1"])
    response = planner.post(url, {"version": before["version"], "comment": comment})
    assert response.status_code == 422
    assert "This field is required." in text(response)
    assert stored(deliverable) == before


# --- stale edits ------------------------------------------------------------------------------


def test_a_stale_deliverable_edit_gets_409_keeps_its_input_and_saves_nothing(
    client: Client,
    coordinator: User,
    partner: User,
    deliverable: Deliverable,
    work_package: WorkPackage,
) -> None:
    cora, pat = Client(), Client()
    cora.force_login(coordinator)
    pat.force_login(partner)
    # Both open the edit form of the same version.
    cora_version = cora.get(edit_url(deliverable)).context["form"]["version"].value()
    pat_version = pat.get(edit_url(deliverable)).context["form"]["version"].value()
    assert cora_version == pat_version == 1

    first = cora.post(
        edit_url(deliverable),
        deliverable_data(
            work_package,
            number="D1.1",
            title="Project handbook and quality plan",
            due_month=6,
            description="Cora's description.",
            version=cora_version,
        ),
    )
    assert first.status_code == 302
    second = pat.post(
        edit_url(deliverable), {"description": "Pat's description.", "version": pat_version}
    )

    assert second.status_code == 409
    page = text(second)
    assert "Someone else saved this deliverable while you were editing it." in page
    assert "Pat's description." in page  # their input is back in the form
    fresh = Deliverable.objects.get(pk=deliverable.pk)
    assert fresh.title == "Project handbook and quality plan"
    assert fresh.description == "Cora's description."
    assert fresh.version == 2
    assert [h.history_change_reason for h in fresh.history.order_by("history_id")] == [
        None,
        "Edited",
    ]


def test_after_a_stale_deliverable_edit_sending_the_form_again_saves_it(
    coordinator: User, partner: User, deliverable: Deliverable, work_package: WorkPackage
) -> None:
    """The refused form carries the current version, as the risk form does: sending it again is
    a deliberate choice to replace the other person's change, not a second 409."""
    cora, pat = Client(), Client()
    cora.force_login(coordinator)
    pat.force_login(partner)
    pat.get(edit_url(deliverable))
    cora.post(
        edit_url(deliverable), {**deliverable_data(work_package, number="D1.1"), "version": 1}
    )
    refused = pat.post(edit_url(deliverable), {"description": "Pat's text.", "version": 1})
    assert refused.status_code == 409

    again = pat.post(
        edit_url(deliverable),
        {"description": "Pat's text.", "version": refused.context["form"]["version"].value()},
    )

    assert again.status_code == 302
    assert Deliverable.objects.get(pk=deliverable.pk).description == "Pat's text."


def test_a_stale_risk_edit_gets_409_keeps_its_input_and_saves_nothing(
    coordinator: User, partner: User, project: Project
) -> None:
    risk = make_risk(project, owner=project.partners.get(number=2))
    url = reverse("projects:risk_edit", args=[project.slug, risk.number])
    cora, pat = Client(), Client()
    cora.force_login(coordinator)
    pat.force_login(partner)
    version = pat.get(url).context["form"]["version"].value()
    assert cora.get(url).context["form"]["version"].value() == version

    data = {
        "title": risk.title,
        "description": risk.description,
        "category": risk.category,
        "owner": risk.owner_id,
        "version": version,
    }
    assert cora.post(url, {**data, "mitigation": "Cora's mitigation."}).status_code == 302
    second = pat.post(url, {**data, "mitigation": "Pat's mitigation."})

    assert second.status_code == 409
    assert "Someone else changed this risk while you were editing it." in text(second)
    assert "Pat's mitigation." in text(second)
    fresh = Risk.objects.get(pk=risk.pk)
    assert fresh.mitigation == "Cora's mitigation."
    assert fresh.version == 2
