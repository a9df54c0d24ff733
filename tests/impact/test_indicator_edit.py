"""impact:indicator_edit: the coordinator edits an indicator and its partners' targets in one
versioned save; refused input saves nothing (422); a save from a stale form is refused (409),
keeping the first change; the others may not (403, 404)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.models import Indicator, PartnerTarget
from projects.models import Partner, Project
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(project: Project) -> Indicator:
    """KPI1, entered by P2 and P3, target 20; P2's own target 12, P3's 8."""
    kpi = make_indicator(project, code="KPI1", name="Persons employed")
    for number, target in ((2, 12), (3, 8)):
        PartnerTarget.objects.create(
            indicator=kpi, partner=project.partners.get(number=number), target=Decimal(target)
        )
    return kpi


def url(indicator: Indicator) -> str:
    return reverse("impact:indicator_edit", args=[indicator.project.slug, indicator.code])


def target_rows(
    indicator: Indicator, changes: dict[int, str] | None = None, delete: tuple[int, ...] = ()
) -> dict[str, str]:
    """The targets formset as the edit page posts it: the stored targets (by partner number,
    with `changes` to their figures and `delete` ticked), then a row for each other partner
    (empty unless `changes` gives it a figure)."""
    changes = changes or {}
    stored = list(PartnerTarget.objects.filter(indicator=indicator).order_by("partner__number"))
    others = Partner.objects.filter(project=indicator.project).exclude(
        pk__in=[t.partner_id for t in stored]
    )
    data = {
        "targets-TOTAL_FORMS": str(len(stored) + others.count()),
        "targets-INITIAL_FORMS": str(len(stored)),
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    n = 0
    for t in stored:
        number = t.partner.number
        data |= {
            f"targets-{n}-id": str(t.pk),
            f"targets-{n}-indicator": str(indicator.pk),
            f"targets-{n}-partner": str(t.partner_id),
            f"targets-{n}-target": changes.get(number, str(t.target)),
        }
        if number in delete:
            data[f"targets-{n}-DELETE"] = "on"
        n += 1
    for p in others.order_by("number"):
        data |= {
            f"targets-{n}-indicator": str(indicator.pk),
            f"targets-{n}-partner": str(p.pk),
            f"targets-{n}-target": changes.get(p.number, ""),
        }
        n += 1
    return data


def form_data(indicator: Indicator, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "work_package": str(indicator.work_package_id or ""),
        "responsible": str(indicator.responsible_id or ""),
        "baseline": "" if indicator.baseline is None else str(indicator.baseline),
        "target": "" if indicator.target is None else str(indicator.target),
        "target_month": str(indicator.target_month or ""),
        "source": indicator.source,
        "measure": indicator.measure,
        "event_kind": indicator.event_kind,
        "reporting_partners": [str(p.pk) for p in indicator.reporting_partners.all()],
        "disaggregations": list(indicator.disaggregations),
        "esf_code": indicator.esf_code,
        "toms_code": indicator.toms_code,
        "sdg_target": indicator.sdg_target,
        "version": str(indicator.version),
        **target_rows(indicator),
    }
    data.update(changes)
    return data


def loaded_version(client: Client, indicator: Indicator) -> str:
    html = client.get(url(indicator)).content.decode()
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "the edit form carries the row's version"
    return match.group(1)


def test_the_coordinator_edits_the_indicator_and_its_targets_at_once(
    client: Client, coordinator: User, project: Project, indicator: Indicator
) -> None:
    client.force_login(coordinator)
    version = loaded_version(client, indicator)
    p1 = project.partners.get(number=1)

    response = client.post(
        url(indicator),
        form_data(
            indicator,
            name="Persons employed through social clauses",
            target="25",
            reporting_partners=[str(p.pk) for p in project.partners.all()],
            version=version,
            **target_rows(indicator, changes={2: "15", 1: "2"}, delete=(3,)),
        ),
        follow=True,
    )

    assert response.redirect_chain == [(indicator.get_absolute_url(), 302)]
    assert "KPI1 saved." in response.content.decode()
    indicator.refresh_from_db()
    assert (indicator.name, indicator.target, indicator.version) == (
        "Persons employed through social clauses",
        Decimal(25),
        2,
    )
    assert indicator.reporting_partners.count() == 3
    assert sorted(
        (t.partner.number, t.target) for t in PartnerTarget.objects.filter(indicator=indicator)
    ) == [(1, Decimal(2)), (2, Decimal(15))]
    assert p1 in indicator.reporting_partners.all()
    record = indicator.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Edited")


def test_the_form_shows_the_stored_targets_then_a_row_per_other_partner(
    client: Client, coordinator: User, indicator: Indicator
) -> None:
    client.force_login(coordinator)

    response = client.get(url(indicator))

    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert [f.instance.target for f in forms[:2]] == [Decimal(12), Decimal(8)]
    assert forms[2].initial["partner"] == indicator.project.partners.get(number=1).pk
    assert len(forms) == 3
    assert "<h1>Edit KPI1 Persons employed</h1>" in response.content.decode()


def test_a_new_code_moves_the_indicators_page(
    client: Client, coordinator: User, indicator: Indicator
) -> None:
    client.force_login(coordinator)

    response = client.post(url(indicator), form_data(indicator, code="KPI10"))

    assert response.status_code == 302
    assert response["Location"] == "/p/co-resp/indicators/KPI10/"


def test_keeping_its_own_code_is_no_clash(
    client: Client, coordinator: User, indicator: Indicator
) -> None:
    client.force_login(coordinator)
    assert client.post(url(indicator), form_data(indicator, name="Renamed")).status_code == 302


def test_a_code_another_indicator_has_is_refused(
    client: Client, coordinator: User, project: Project, indicator: Indicator
) -> None:
    make_indicator(project, code="KPI2")
    client.force_login(coordinator)

    response = client.post(url(indicator), form_data(indicator, code="KPI2", name="New"))

    assert response.status_code == 422
    assert response.context["form"].errors["code"] == [
        "The project has an indicator KPI2 already: choose another code."
    ]
    assert "<h1>Edit KPI1 Persons employed</h1>" in response.content.decode()
    indicator.refresh_from_db()
    assert (indicator.code, indicator.name, indicator.version) == ("KPI1", "Persons employed", 1)


def test_an_indicator_with_values_cannot_become_computed(
    client: Client, coordinator: User, project: Project, indicator: Indicator
) -> None:
    make_value(indicator, project.partners.get(number=2), make_period(project))
    client.force_login(coordinator)

    response = client.post(
        url(indicator),
        form_data(indicator, source="computed", measure="events_held", reporting_partners=[]),
    )

    assert response.status_code == 422
    assert response.context["form"].errors["source"] == [
        "1 value is entered for this indicator: a computed indicator has none. Keep it "
        "entered, or define a new computed one."
    ]
    indicator.refresh_from_db()
    assert indicator.source == Indicator.Source.ENTERED


def test_a_refused_target_saves_nothing(
    client: Client, coordinator: User, indicator: Indicator
) -> None:
    client.force_login(coordinator)

    response = client.post(
        url(indicator),
        form_data(indicator, name="New", **target_rows(indicator, changes={2: "-1"})),
    )

    assert response.status_code == 422
    indicator.refresh_from_db()
    assert (indicator.name, indicator.version) == ("Persons employed", 1)
    assert PartnerTarget.objects.get(indicator=indicator, partner__number=2).target == 12


def test_a_stale_save_is_refused_keeping_the_first_change_and_showing_the_second_input(
    coordinator: User, indicator: Indicator
) -> None:
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(coordinator)
    assert loaded_version(first, indicator) == loaded_version(second, indicator) == "1"

    saved = first.post(url(indicator), form_data(indicator, name="First name"))
    assert saved.status_code == 302
    refused = second.post(
        url(indicator),
        form_data(indicator, name="Second name", **target_rows(indicator, changes={2: "99"})),
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this indicator while you were editing it." in html
    assert 'value="Second name"' in html  # their input, kept
    indicator.refresh_from_db()
    assert (indicator.name, indicator.version) == ("First name", 2)
    assert PartnerTarget.objects.get(indicator=indicator, partner__number=2).target == 12
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert refused.context["form"]["version"].value() == "2"
    again = second.post(
        url(indicator),
        form_data(indicator, name="Second name", version="2", **target_rows(indicator, {2: "99"})),
    )
    assert again.status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "Second name"
    assert PartnerTarget.objects.get(indicator=indicator, partner__number=2).target == 99


def test_a_save_without_its_version_is_refused(
    client: Client, coordinator: User, indicator: Indicator
) -> None:
    client.force_login(coordinator)

    response = client.post(url(indicator), form_data(indicator, name="New", version=""))

    assert response.status_code == 422
    assert response.context["form"].errors["version"] == [
        "The page was out of date: reload it and try again."
    ]
    indicator.refresh_from_db()
    assert indicator.name == "Persons employed"


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_others_may_not_edit(
    client: Client, indicator: Indicator, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(indicator)).status_code == 403
    assert client.post(url(indicator), form_data(indicator, name="Changed")).status_code == 403
    indicator.refresh_from_db()
    assert indicator.name == "Persons employed"


def test_outsider_gets_404(client: Client, outsider: User, indicator: Indicator) -> None:
    client.force_login(outsider)
    assert client.get(url(indicator)).status_code == 404
    assert client.post(url(indicator), form_data(indicator, name="Changed")).status_code == 404


def test_an_unknown_code_is_404(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert (
        client.get(reverse("impact:indicator_edit", args=[project.slug, "NOPE"])).status_code == 404
    )


def test_anonymous_is_sent_to_login(client: Client, indicator: Indicator) -> None:
    response = client.post(url(indicator), form_data(indicator, name="Changed"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    indicator.refresh_from_db()
    assert indicator.name == "Persons employed"


def test_other_methods_are_not_allowed(
    client: Client, coordinator: User, indicator: Indicator
) -> None:
    client.force_login(coordinator)
    assert client.put(url(indicator)).status_code == 405
    assert client.delete(url(indicator)).status_code == 405
