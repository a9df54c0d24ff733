"""procurement:tender_edit: the coordinator, the recording partner and the staff of the
contracting authority's partner edit a tender; a save from a stale form is refused (409)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import Tender
from projects.models import Project
from tests.factories import make_organisation
from tests.procurement.factories import CPV_CLEANING, CPV_CONSTRUCTION, make_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(project: Project) -> Tender:
    """P3 Voorbeeld's municipality's tender, recorded by P3 (the `other_partner`'s)."""
    return make_tender(project, reference="VB-2023-04", title="Cleaning of the town hall")


def url(tender: Tender) -> str:
    return reverse("procurement:tender_edit", args=[tender.project.slug, tender.pk])


def form_data(tender: Tender, **changes: Any) -> dict[str, Any]:
    return {
        "reference": tender.reference,
        "title": tender.title,
        "authority": str(tender.authority_id),
        "recorded_by": str(tender.recorded_by_id),
        "cpv_codes": ", ".join(tender.cpv_codes),
        "procedure": tender.procedure,
        "estimated_value": str(tender.estimated_value or ""),
        "status": tender.status,
        "publication_date": tender.publication_date.isoformat() if tender.publication_date else "",
        "award_date": tender.award_date.isoformat() if tender.award_date else "",
        "notice_url": tender.notice_url,
        "work_package": str(tender.work_package_id or ""),
        "version": str(tender.version),
        "change_reason": "",
        **changes,
    }


def loaded_version(client: Client, tender: Tender) -> str:
    """The version the edit form carries, as a browser would submit it."""
    html = client.get(url(tender)).content.decode()
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "the edit form carries the row's version"
    return match.group(1)


def test_the_recording_partner_records_the_award(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)
    version = loaded_version(client, tender)

    response = client.post(
        url(tender),
        form_data(
            tender,
            status=Tender.Status.AWARDED,
            award_date="2023-05-10",
            cpv_codes=f"{CPV_CLEANING}, {CPV_CONSTRUCTION}",
            version=version,
            change_reason="Awarded",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(tender.get_absolute_url(), 302)]
    assert "VB-2023-04 saved." in response.content.decode()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert str(tender.award_date) == "2023-05-10"
    assert tender.cpv_codes == [CPV_CLEANING, CPV_CONSTRUCTION]
    assert tender.version == 2
    record = tender.history.latest()
    assert (record.history_user, record.history_change_reason) == (other_partner, "Awarded")


def test_the_form_shows_the_codes_as_typed_text(
    client: Client, other_partner: User, project: Project
) -> None:
    tender = make_tender(project, cpv_codes=[CPV_CLEANING, CPV_CONSTRUCTION])
    client.force_login(other_partner)

    html = client.get(url(tender)).content.decode()

    assert f'value="{CPV_CLEANING}, {CPV_CONSTRUCTION}"' in html


def test_the_staff_of_the_authoritys_partner_may_edit_a_tender_another_partner_recorded(
    client: Client, other_partner: User, project: Project
) -> None:
    """P2 recorded it, but the authority is P3's municipality: P3's staff keep it too, and the
    recorder stays P2."""
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    tender = make_tender(project, recorded_by=p2, authority=p3.organisation)
    client.force_login(other_partner)

    response = client.post(url(tender), form_data(tender, title="New", recorded_by=str(p3.pk)))

    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.title == "New"
    assert tender.recorded_by == p2  # fixed for a partner: the posted value is ignored


def test_the_coordinator_may_hand_the_record_to_another_partner(
    client: Client, coordinator: User, project: Project, tender: Tender
) -> None:
    p2 = project.partners.get(number=2)
    client.force_login(coordinator)

    response = client.post(url(tender), form_data(tender, recorded_by=str(p2.pk)))

    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.recorded_by == p2


def test_a_wrong_check_digit_is_refused_and_nothing_is_saved(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)

    response = client.post(url(tender), form_data(tender, cpv_codes="90910000-1", title="New"))

    assert response.status_code == 422
    assert response.context["form"].errors["cpv_codes"] == [
        "The check digit of CPV 90910000 is 9, not 1."
    ]
    tender.refresh_from_db()
    assert (tender.title, tender.cpv_codes, tender.version) == (
        "Cleaning of the town hall",
        [CPV_CLEANING],
        1,
    )


def test_an_award_before_the_publication_is_refused_and_nothing_is_saved(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)

    response = client.post(
        url(tender),
        form_data(tender, status=Tender.Status.AWARDED, award_date="2023-02-28"),
    )

    assert response.status_code == 422
    assert response.context["form"].errors["award_date"] == [
        "The award (2023-02-28) cannot come before the publication (2023-03-01)."
    ]
    html = response.content.decode()
    assert "The award (2023-02-28) cannot come before the publication (2023-03-01)." in html
    assert "<h1>Edit VB-2023-04: Cleaning of the town hall</h1>" in html
    tender.refresh_from_db()
    assert (tender.status, tender.award_date, tender.version) == (Tender.Status.PUBLISHED, None, 1)


def test_a_reference_another_tender_of_the_authority_has_is_refused(
    client: Client, other_partner: User, project: Project, tender: Tender
) -> None:
    make_tender(project, reference="VB-2023-05")
    client.force_login(other_partner)

    response = client.post(url(tender), form_data(tender, reference="VB-2023-05"))

    assert response.status_code == 422
    assert response.context["form"].errors["reference"] == [
        "Voorbeeld already has a tender VB-2023-05 in the register."
    ]


def test_keeping_its_own_reference_is_not_a_clash(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)
    assert client.post(url(tender), form_data(tender, title="Renamed")).status_code == 302


def test_a_stale_save_is_refused_keeping_the_first_change_and_showing_the_second_input(
    client: Client, coordinator: User, other_partner: User, tender: Tender
) -> None:
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(other_partner)
    first_version = loaded_version(first, tender)
    second_version = loaded_version(second, tender)
    assert first_version == second_version == "1"

    saved = first.post(url(tender), form_data(tender, title="Coordinator's title"))
    assert saved.status_code == 302
    refused = second.post(
        url(tender),
        form_data(tender, title="Partner's title", estimated_value="99000.00"),
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this tender while you were editing it." in html
    assert 'value="Partner&#x27;s title"' in html  # their input, kept
    assert "Coordinator&#x27;s title" in html  # the saved version, to compare
    tender.refresh_from_db()
    assert tender.title == "Coordinator's title"
    assert str(tender.estimated_value) == "120000.00"
    assert tender.version == 2
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert refused.context["form"]["version"].value() == "2"
    again = second.post(url(tender), form_data(tender, title="Partner's title", version="2"))
    assert again.status_code == 302
    tender.refresh_from_db()
    assert tender.title == "Partner's title"


def test_a_save_without_its_version_is_refused(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)

    response = client.post(url(tender), form_data(tender, title="New", version=""))

    assert response.status_code == 422
    assert response.context["form"].errors["version"] == [
        "The page was out of date: reload it and try again."
    ]
    tender.refresh_from_db()
    assert tender.title == "Cleaning of the town hall"


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_others_may_not_edit(
    client: Client, tender: Tender, who: str, request: pytest.FixtureRequest
) -> None:
    """P2's staff (neither recorder nor authority) and observers only read."""
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(tender)).status_code == 403
    assert client.post(url(tender), form_data(tender, title="Changed")).status_code == 403
    tender.refresh_from_db()
    assert tender.title == "Cleaning of the town hall"


def test_a_partner_whose_organisation_is_neither_recorder_nor_authority_may_not_edit(
    client: Client, other_partner: User, project: Project
) -> None:
    p2 = project.partners.get(number=2)
    tender = make_tender(project, recorded_by=p2, authority=make_organisation("Dobrich"))
    client.force_login(other_partner)

    assert client.post(url(tender), form_data(tender, title="Changed")).status_code == 403


def test_outsider_gets_404(client: Client, outsider: User, tender: Tender) -> None:
    client.force_login(outsider)
    assert client.get(url(tender)).status_code == 404
    assert client.post(url(tender), form_data(tender, title="Changed")).status_code == 404


def test_a_tender_of_another_project_is_404(
    client: Client, other_partner: User, project: Project
) -> None:
    from tests.factories import make_partner, make_project

    other = make_project("Other", slug="other")
    tender = make_tender(other, recorded_by=make_partner(other, number=1))
    client.force_login(other_partner)

    wrong = reverse("procurement:tender_edit", args=[project.slug, tender.pk])
    assert client.get(wrong).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, tender: Tender) -> None:
    response = client.post(url(tender), form_data(tender, title="Changed"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    tender.refresh_from_db()
    assert tender.title == "Cleaning of the town hall"


def test_other_methods_are_not_allowed(client: Client, other_partner: User, tender: Tender) -> None:
    client.force_login(other_partner)
    assert client.put(url(tender)).status_code == 405
    assert client.delete(url(tender)).status_code == 405
