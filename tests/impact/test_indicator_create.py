"""impact:indicator_create: the coordinator defines an indicator, entered or computed, with the
partners that report it, the breakdowns it asks for and the partners' own targets; refused
input saves nothing (422); a code taken meanwhile is a 409; the others may not (403, 404)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from events.models import Event
from impact.forms.indicators import IndicatorForm
from impact.models import Indicator, PartnerTarget
from projects.models import Partner, Project
from tests.impact.factories import make_indicator

pytestmark = pytest.mark.django_db

M = Indicator.Measure


def url(project: Project) -> str:
    return reverse("impact:indicator_create", args=[project.slug])


def targets(rows: list[tuple[Partner | None, str]], *, initial: int = 0) -> dict[str, str]:
    """The partners' targets formset as a browser posts it: one row per (partner, target)."""
    data = {
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": str(initial),
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for n, (partner, target) in enumerate(rows):
        data[f"targets-{n}-partner"] = str(partner.pk) if partner else ""
        data[f"targets-{n}-target"] = target
    return data


def form_data(project: Project, **changes: Any) -> dict[str, Any]:
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    data: dict[str, Any] = {
        "code": "KPI1",
        "name": "Persons with disabilities employed through social clauses",
        "definition": "Persons who started work through a social clause. Interns do not count.",
        "unit": Indicator.Unit.PERSONS,
        "kind": Indicator.Kind.RESULT,
        "work_package": "",
        "responsible": str(p2.pk),
        "baseline": "0",
        "target": "20",
        "target_month": "18",
        "source": Indicator.Source.ENTERED,
        "measure": "",
        "event_kind": "",
        "reporting_partners": [str(p2.pk), str(p3.pk)],
        "disaggregations": [Indicator.Disaggregation.GENDER, Indicator.Disaggregation.GROUP],
        "requires_evidence": "on",
        "esf_code": "EECO12",
        "toms_code": "",
        "sdg_target": "8.5",
        # A row per partner, in the order the form offers them; P1's left empty.
        **targets([(project.partners.get(number=1), ""), (p2, "12"), (p3, "8")]),
    }
    data.update(changes)
    return data


def test_the_coordinator_defines_an_entered_indicator_with_partner_targets(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)

    response = client.post(url(project), form_data(project), follow=True)

    indicator = Indicator.objects.get(project=project, code="KPI1")
    assert response.redirect_chain == [(indicator.get_absolute_url(), 302)]
    assert "KPI1 defined." in response.content.decode()
    assert indicator.source == Indicator.Source.ENTERED
    assert indicator.target == Decimal(20)
    assert indicator.disaggregations == ["gender", "group"]
    assert indicator.requires_evidence
    assert sorted(p.number for p in indicator.reporting_partners.all()) == [2, 3]
    assert sorted(
        (t.partner.number, t.target) for t in PartnerTarget.objects.filter(indicator=indicator)
    ) == [(2, Decimal(12)), (3, Decimal(8))]  # P1's empty row is skipped
    # The first record has the reason; setting the partners that report it writes a second one.
    record = indicator.history.earliest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Created")


def test_the_coordinator_defines_a_computed_indicator(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)

    response = client.post(
        url(project),
        form_data(
            project,
            code="KPI2",
            unit=Indicator.Unit.PERSONS,
            source=Indicator.Source.COMPUTED,
            measure=M.PARTICIPANTS,
            event_kind=Event.Kind.ROUNDTABLE,
            reporting_partners=[],
            disaggregations=[],
            **targets([]),
        ),
    )

    assert response.status_code == 302
    indicator = Indicator.objects.get(project=project, code="KPI2")
    assert (indicator.is_computed, indicator.measure, indicator.event_kind) == (
        True,
        M.PARTICIPANTS,
        Event.Kind.ROUNDTABLE,
    )
    assert not indicator.reporting_partners.exists()


def test_the_form_offers_a_target_row_per_partner_and_the_computed_fields(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)

    response = client.get(url(project))

    assert response.status_code == 200
    formset = response.context["formset"]
    assert [f.initial["partner"] for f in formset.forms] == [
        p.pk for p in project.partners.order_by("number")
    ]
    html = response.content.decode()
    assert 'name="measure"' in html and 'name="event_kind"' in html
    assert 'type="checkbox" name="disaggregations" value="gender"' in html
    assert 'type="checkbox" name="reporting_partners"' in html
    assert '<input type="hidden" name="version"' not in html  # nothing to be stale against


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"source": Indicator.Source.COMPUTED, "reporting_partners": []},
            "measure",
            "Say what the platform counts for a computed indicator.",
        ),
        ({"measure": M.EVENTS_HELD}, "measure", "Only a computed indicator has a measure."),
        (
            {
                "source": Indicator.Source.COMPUTED,
                "measure": M.TENDERS_WITH_SOCIAL_CLAUSES,
                "event_kind": Event.Kind.ROUNDTABLE,
                "reporting_partners": [],
            },
            "event_kind",
            "Only the event measures count events of a kind.",
        ),
        (
            {"source": Indicator.Source.COMPUTED, "measure": M.EVENTS_HELD},
            "reporting_partners",
            "The platform counts a computed indicator: no partner reports it.",
        ),
        ({"code": "kpi 1"}, "code", "Capitals and digits: KPI1."),
        ({"target_month": "19"}, "target_month", "M19 is outside the project, which runs M1-M18."),
        ({"target": "-1"}, "target", "Ensure this value is greater than or equal to 0."),
        ({"sdg_target": "eight"}, "sdg_target", "Like 8.5 or 10.2."),
        ({"disaggregations": ["height"]}, "disaggregations", None),
    ],
)
def test_refused_input_is_shown_and_nothing_is_saved(
    client: Client,
    coordinator: User,
    project: Project,
    changes: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    client.force_login(coordinator)

    response = client.post(url(project), form_data(project, **changes))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in errors[field]
        assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Indicator.objects.exists()
    assert not PartnerTarget.objects.exists()


def test_a_code_the_project_has_is_refused(
    client: Client, coordinator: User, project: Project
) -> None:
    make_indicator(project, code="KPI1")
    client.force_login(coordinator)

    response = client.post(url(project), form_data(project))

    assert response.status_code == 422
    assert response.context["form"].errors["code"] == [
        "The project has an indicator KPI1 already: choose another code."
    ]
    assert Indicator.objects.count() == 1


def test_the_same_code_in_another_project_is_no_clash(
    client: Client, coordinator: User, project: Project
) -> None:
    from tests.factories import make_partner, make_project

    other = make_project("OTHER", slug="other")
    make_partner(other, number=1)
    make_indicator(other, code="KPI1", reporting_partners=[])
    client.force_login(coordinator)

    assert client.post(url(project), form_data(project)).status_code == 302


def test_two_targets_for_one_partner_are_refused(
    client: Client, coordinator: User, project: Project
) -> None:
    p2 = project.partners.get(number=2)
    client.force_login(coordinator)

    response = client.post(url(project), form_data(project, **targets([(p2, "5"), (p2, "7")])))

    assert response.status_code == 422
    assert response.context["formset"].forms[1].errors["partner"] == [
        "P2 CoopLab has a target already."
    ]
    assert not Indicator.objects.exists()


def test_a_target_row_with_a_partner_of_another_project_is_refused(
    client: Client, coordinator: User, project: Project
) -> None:
    from tests.factories import make_partner, make_project

    stranger = make_partner(make_project("OTHER", slug="other"), number=1)
    client.force_login(coordinator)

    response = client.post(url(project), form_data(project, **targets([(stranger, "5")])))

    assert response.status_code == 422
    assert "partner" in response.context["formset"].forms[0].errors
    assert not Indicator.objects.exists()


def test_a_negative_partner_target_is_refused(
    client: Client, coordinator: User, project: Project
) -> None:
    p2 = project.partners.get(number=2)
    client.force_login(coordinator)

    response = client.post(url(project), form_data(project, **targets([(p2, "-3")])))

    assert response.status_code == 422
    assert response.context["formset"].forms[0].errors["target"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert not Indicator.objects.exists()


def test_a_code_taken_meanwhile_is_a_conflict_and_nothing_is_saved(
    client: Client, coordinator: User, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code was free when the form checked it; another indicator took it before the save
    (the form's check is skipped here to stand for that moment)."""
    make_indicator(project, code="KPI1", name="The other one")
    monkeypatch.setattr(IndicatorForm, "clean_code", lambda form: form.cleaned_data["code"])
    client.force_login(coordinator)

    response = client.post(url(project), form_data(project))

    assert response.status_code == 409
    assert response.context["form"].errors["code"] == [
        "The project has an indicator KPI1 already: choose another code."
    ]
    assert list(Indicator.objects.values_list("name", flat=True)) == ["The other one"]
    assert not PartnerTarget.objects.exists()


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_others_may_not_define_indicators(
    client: Client, project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), form_data(project)).status_code == 403
    assert not Indicator.objects.exists()


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), form_data(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.post(url(project), form_data(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Indicator.objects.exists()


def test_other_methods_are_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert client.put(url(project)).status_code == 405
    assert client.delete(url(project)).status_code == 405
