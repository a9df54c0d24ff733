"""procurement:tender_create: a partner records its organisation's tender (with its lot 1) in one
form; the coordinator may record it for any partner; observers only read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import Lot, Tender
from projects.models import Organisation, Project
from tests.factories import make_organisation, make_project
from tests.procurement.factories import CPV_CONSTRUCTION, CPV_SOCIAL_WORK, make_tender

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("procurement:tender_create", args=[project.slug])


def form_data(project: Project, **changes: Any) -> dict[str, Any]:
    """A tender of P2 CoopLab's (the `partner`'s) own organisation."""
    p2 = project.partners.get(number=2)
    return {
        "reference": "2023/017",
        "title": "Social services for the elderly",
        "authority": str(p2.organisation_id),
        "recorded_by": str(p2.pk),
        "cpv_codes": f"{CPV_SOCIAL_WORK}, {CPV_CONSTRUCTION}",
        "procedure": Tender.Procedure.LIGHT_REGIME,
        "estimated_value": "250000.00",
        "status": Tender.Status.PUBLISHED,
        "publication_date": "2023-02-15",
        "award_date": "",
        "notice_url": "https://ted.europa.eu/en/notice/-/detail/123456-2023",
        "work_package": "",
        **changes,
    }


def test_a_partner_records_a_tender_with_its_lot_1(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(url(project), form_data(project), follow=True)

    tender = Tender.objects.get()
    assert response.redirect_chain == [(tender.get_absolute_url(), 302)]
    assert "2023/017 added to the register." in response.content.decode()
    assert tender.project == project
    assert tender.recorded_by == project.partners.get(number=2)
    assert tender.cpv_codes == [CPV_SOCIAL_WORK, CPV_CONSTRUCTION]  # the main one first
    assert tender.cpv_division == "85"
    assert str(tender.estimated_value) == "250000.00"
    assert tender.version == 1
    # Lot 1, named like the tender: contracts are awarded per lot.
    assert [(lot.number, lot.title) for lot in tender.lots.all()] == [
        (1, "Social services for the elderly")
    ]
    record = tender.history.get()
    assert (record.history_user, record.history_change_reason) == (partner, "Recorded")


def test_the_form_offers_a_partner_only_its_own_organisation_as_recorder(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.get(url(project))

    assert response.status_code == 200
    form = response.context["form"]
    assert [p.number for p in form.fields["recorded_by"].queryset] == [2]
    assert form.fields["recorded_by"].disabled
    # Dates are bounded to the window around the project (October 2020 to December 2029).
    html = response.content.decode()
    assert 'min="2020-10-01"' in html and 'max="2029-12-31"' in html


def test_a_partner_cannot_record_for_another_partner(
    client: Client, partner: User, project: Project
) -> None:
    """The recorder is fixed for a partner: what the browser posts for it is ignored."""
    client.force_login(partner)
    p3 = project.partners.get(number=3)

    response = client.post(url(project), form_data(project, recorded_by=str(p3.pk)))

    assert response.status_code == 302
    assert Tender.objects.get().recorded_by.number == 2


def test_a_partner_may_record_a_tender_of_an_authority_outside_the_consortium(
    client: Client, partner: User, project: Project
) -> None:
    town = make_organisation(
        "Dobrich", legal_name="Municipality of Dobrich", kind=Organisation.Kind.PUBLIC_AUTHORITY
    )
    client.force_login(partner)

    response = client.post(url(project), form_data(project, authority=str(town.pk)))

    assert response.status_code == 302
    assert Tender.objects.get().authority == town


def test_the_coordinator_records_for_any_partner(
    client: Client, coordinator: User, project: Project
) -> None:
    p3 = project.partners.get(number=3)
    client.force_login(coordinator)

    response = client.post(
        url(project), form_data(project, recorded_by=str(p3.pk), authority=str(p3.organisation_id))
    )

    assert response.status_code == 302
    assert Tender.objects.get().recorded_by == p3


def test_a_wrong_check_digit_is_refused_on_the_field_and_nothing_is_saved(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(
        url(project), form_data(project, cpv_codes="45000000-3, 85311000-2, 9091000-9")
    )

    assert response.status_code == 422
    assert response.context["form"].errors["cpv_codes"] == [
        "The check digit of CPV 45000000 is 7, not 3.",
        "9091000-9 is not a CPV code: write eight digits, a hyphen and the check digit "
        "(45000000-7).",
    ]
    html = response.content.decode()
    assert "The check digit of CPV 45000000 is 7, not 3." in html
    assert 'value="45000000-3, 85311000-2, 9091000-9"' in html  # what they typed, to correct
    assert not Tender.objects.exists()
    assert not Lot.objects.exists()


def test_an_award_before_the_publication_is_refused_naming_both_dates(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(
        url(project),
        form_data(project, status=Tender.Status.AWARDED, award_date="2023-01-31"),
    )

    assert response.status_code == 422
    assert response.context["form"].errors["award_date"] == [
        "The award (2023-01-31) cannot come before the publication (2023-02-15)."
    ]
    assert not Tender.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"publication_date": "2019-12-31"},
            "publication_date",
            "2019-12-31 is too far from the project (2020-10-01 to 2029-12-31).",
        ),
        (
            {"status": Tender.Status.AWARDED},
            "award_date",
            "An awarded tender has an award date.",
        ),
        ({"cpv_codes": " , "}, "cpv_codes", "This field cannot be blank."),
        (
            {"cpv_codes": f"{CPV_CONSTRUCTION} {CPV_CONSTRUCTION}"},
            "cpv_codes",
            "Each CPV code once.",
        ),
        (
            {"estimated_value": "-1"},
            "estimated_value",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"reference": ""}, "reference", "This field is required."),
    ],
)
def test_bad_input_is_refused_on_its_field(
    client: Client,
    partner: User,
    project: Project,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(partner)

    response = client.post(url(project), form_data(project, **changes))

    assert response.status_code == 422
    assert message in response.context["form"].errors[field]
    assert not Tender.objects.exists()


def test_the_same_reference_of_the_same_authority_is_refused(
    client: Client, partner: User, project: Project
) -> None:
    p2 = project.partners.get(number=2)
    make_tender(project, recorded_by=p2, reference="2023/017")
    client.force_login(partner)

    response = client.post(url(project), form_data(project))

    assert response.status_code == 422
    assert response.context["form"].errors["reference"] == [
        "CoopLab already has a tender 2023/017 in the register."
    ]
    assert Tender.objects.count() == 1


def test_the_same_reference_in_another_project_is_allowed(
    client: Client, partner: User, project: Project
) -> None:
    other = make_project("Other", slug="other")
    p2 = project.partners.get(number=2)
    from tests.factories import make_partner

    make_tender(
        other, recorded_by=make_partner(other, p2.organisation, number=1), reference="2023/017"
    )
    client.force_login(partner)

    assert client.post(url(project), form_data(project)).status_code == 302


def test_a_work_package_of_another_project_is_refused(
    client: Client, partner: User, project: Project
) -> None:
    other = make_project("Other", slug="other")
    from tests.factories import make_partner, make_work_package

    wp = make_work_package(other, number=1, lead=make_partner(other, number=1))
    client.force_login(partner)

    response = client.post(url(project), form_data(project, work_package=str(wp.pk)))

    assert response.status_code == 422
    assert "work_package" in response.context["form"].errors
    assert not Tender.objects.exists()


def test_observer_may_not_record(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), form_data(project)).status_code == 403
    assert not Tender.objects.exists()


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), form_data(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.post(url(project), form_data(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Tender.objects.exists()


def test_other_methods_are_not_allowed(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    assert client.put(url(project)).status_code == 405
    assert client.delete(url(project)).status_code == 405
