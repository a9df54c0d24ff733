"""procurement:outcome_edit: the tender's keepers correct a draft outcome; a submitted or validated
one is not edited (the coordinator sends it back first), and a save from a stale form is refused
(no lost updates)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import ClauseOutcome, Tender
from projects.models import Project, ReportingPeriod
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_period,
    make_tender,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality (`other_partner` keeps it), lot 1 awarded from 1 June 2023."""
    tender = make_tender(project)
    make_contract(tender.lots.get(number=1), start_date=dt.date(2023, 6, 1))
    return tender


@pytest.fixture
def rp1(project: Project) -> ReportingPeriod:
    return make_period(project, number=1, start_month=1, end_month=9)


@pytest.fixture
def outcome(tender: Tender, rp1: ReportingPeriod) -> ClauseOutcome:
    """A draft for RP1: two persons with disabilities employed."""
    clause = make_clause(tender, lot=tender.lots.get(number=1))
    return make_clause_outcome(clause, rp1, achieved=Decimal(2), headcount=2)


@pytest.fixture
def keeper(client: Client, other_partner: User) -> Client:
    client.force_login(other_partner)
    return client


def url(outcome: ClauseOutcome) -> str:
    tender = outcome.clause.tender
    return reverse("procurement:outcome_edit", args=[tender.project.slug, tender.pk, outcome.pk])


def form_data(outcome: ClauseOutcome, **changes: Any) -> dict[str, Any]:
    return {
        "period": str(outcome.period_id),
        "achieved": "3",
        "headcount": "3",
        "fte": "2.25",
        "women": "2",
        "men": "1",
        "gender_other": "",
        "with_disabilities": "",
        "other_disadvantaged": "",
        "group_other": "",
        "note": "",
        "version": str(outcome.version),
        **changes,
    }


def loaded_version(client: Client, outcome: ClauseOutcome) -> str:
    """The version the edit form carries, as a browser would submit it."""
    html = client.get(url(outcome)).content.decode()
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "the edit form carries the row's version"
    return match.group(1)


def test_a_keeper_corrects_a_draft(
    keeper: Client, other_partner: User, outcome: ClauseOutcome
) -> None:
    version = loaded_version(keeper, outcome)

    response = keeper.post(url(outcome), form_data(outcome, version=version))

    assert response.status_code == 302
    assert response["Location"] == outcome.clause.tender.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Outcome for RP1 saved."]
    outcome.refresh_from_db()
    assert (outcome.achieved, outcome.headcount, outcome.fte) == (Decimal(3), 3, Decimal("2.25"))
    assert (outcome.women, outcome.men, outcome.gender_other) == (2, 1, None)
    assert (outcome.status, outcome.version) == ("draft", 2)
    record = outcome.history.latest()
    assert (record.history_user, record.history_change_reason) == (other_partner, "Edited")


def test_the_period_may_change_while_a_draft(
    keeper: Client, project: Project, outcome: ClauseOutcome
) -> None:
    rp2 = make_period(project, number=2, start_month=10, end_month=18)
    assert keeper.post(url(outcome), form_data(outcome, period=str(rp2.pk))).status_code == 302
    outcome.refresh_from_db()
    assert outcome.period == rp2


def test_the_coordinators_comment_shows_on_a_draft_sent_back(
    keeper: Client, outcome: ClauseOutcome
) -> None:
    outcome.review_comment = "The payroll extract counts three people, not two."
    outcome.save()
    html = keeper.get(url(outcome)).content.decode()
    assert "The coordinator sent it back:" in html
    assert "The payroll extract counts three people, not two." in html
    assert "never the names of workers" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"fte": "3.5"},
            "fte",
            "3.5 full-time equivalents for 3 people: FTE cannot be above the headcount.",
        ),
        (
            {"women": "1", "men": "1"},
            "women",
            "The breakdown by gender adds up to 2, not to the 3 people employed.",
        ),
        (
            {"with_disabilities": "4", "other_disadvantaged": "0", "group_other": "0"},
            "with_disabilities",
            "The breakdown by group adds up to 4, not to the 3 people employed.",
        ),
        (
            {"achieved": "2"},
            "headcount",
            "The clause counts persons: 2 achieved but 3 people employed.",
        ),
    ],
)
def test_figures_that_do_not_hold_are_refused_and_nothing_is_saved(
    keeper: Client, outcome: ClauseOutcome, changes: dict[str, str], field: str, message: str
) -> None:
    response = keeper.post(url(outcome), form_data(outcome, **changes))

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    outcome.refresh_from_db()
    assert (outcome.achieved, outcome.headcount, outcome.fte, outcome.version) == (
        Decimal(2),
        2,
        None,
        1,
    )


def test_a_period_already_reported_is_refused(
    keeper: Client, project: Project, outcome: ClauseOutcome
) -> None:
    rp2 = make_period(project, number=2, start_month=10, end_month=18)
    make_clause_outcome(outcome.clause, rp2)
    response = keeper.post(url(outcome), form_data(outcome, period=str(rp2.pk)))
    assert response.status_code == 422
    assert response.context["form"].errors["period"] == [
        "RP2 already has an outcome for this clause: correct that one instead."
    ]
    outcome.refresh_from_db()
    assert outcome.period.number == 1


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            ClauseOutcome.Status.SUBMITTED,
            "This outcome is submitted: its figures can be corrected again only if the "
            "coordinator sends it back.",
        ),
        (
            ClauseOutcome.Status.VALIDATED,
            "The coordinator has validated this outcome: its figures are on record.",
        ),
    ],
)
def test_only_a_draft_is_edited(
    keeper: Client, outcome: ClauseOutcome, status: str, message: str, method: str
) -> None:
    ClauseOutcome.objects.filter(pk=outcome.pk).update(status=status)

    response = getattr(keeper, method)(url(outcome), form_data(outcome))

    assert response.status_code == 302
    assert response["Location"] == outcome.clause.tender.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message]
    outcome.refresh_from_db()
    assert (outcome.achieved, outcome.version) == (Decimal(2), 1)


def test_a_stale_save_is_refused_keeping_the_first_and_showing_the_second_input(
    coordinator: User, other_partner: User, outcome: ClauseOutcome
) -> None:
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(other_partner)
    first_version = loaded_version(first, outcome)
    second_version = loaded_version(second, outcome)
    assert first_version == second_version == "1"

    saved = first.post(url(outcome), form_data(outcome, note="Coordinator's count"))
    assert saved.status_code == 302
    refused = second.post(
        url(outcome),
        form_data(outcome, achieved="4", headcount="4", fte="", women="", men="", note="Mine"),
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this outcome while you were editing it." in html
    assert "The saved figures" in html
    assert "Coordinator&#x27;s count" in html  # the saved version, to compare
    assert 'name="achieved" value="4"' in html  # their input, kept
    outcome.refresh_from_db()
    assert (outcome.achieved, outcome.note, outcome.version) == (
        Decimal(3),
        "Coordinator's count",
        2,
    )
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert refused.context["form"]["version"].value() == "2"
    again = second.post(
        url(outcome),
        form_data(outcome, achieved="4", headcount="4", fte="", women="", men="", version="2"),
    )
    assert again.status_code == 302
    outcome.refresh_from_db()
    assert outcome.achieved == Decimal(4)


def test_a_form_without_its_version_is_refused(keeper: Client, outcome: ClauseOutcome) -> None:
    response = keeper.post(url(outcome), form_data(outcome, version=""))
    assert response.status_code == 422
    assert "The page was out of date: reload it and try again." in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.version == 1


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_others_get_403_and_nothing_is_saved(
    client: Client, outcome: ClauseOutcome, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(outcome)).status_code == 403
    assert client.post(url(outcome), form_data(outcome)).status_code == 403
    outcome.refresh_from_db()
    assert (outcome.achieved, outcome.version) == (Decimal(2), 1)


def test_outsider_gets_404(client: Client, outsider: User, outcome: ClauseOutcome) -> None:
    client.force_login(outsider)
    assert client.get(url(outcome)).status_code == 404
    assert client.post(url(outcome), form_data(outcome)).status_code == 404


def test_an_outcome_is_only_reachable_through_its_own_tender(
    keeper: Client, project: Project, outcome: ClauseOutcome
) -> None:
    other = make_tender(project)
    wrong = reverse("procurement:outcome_edit", args=[project.slug, other.pk, outcome.pk])
    assert keeper.post(wrong, form_data(outcome)).status_code == 404
    outcome.refresh_from_db()
    assert outcome.version == 1


def test_anonymous_is_sent_to_login(client: Client, outcome: ClauseOutcome) -> None:
    response = client.post(url(outcome), form_data(outcome))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    outcome.refresh_from_db()
    assert outcome.version == 1


def test_other_methods_are_not_allowed(keeper: Client, outcome: ClauseOutcome) -> None:
    assert keeper.put(url(outcome)).status_code == 405
    assert keeper.delete(url(outcome)).status_code == 405
