"""impact:query_create: the coordinator raises a query about one record of the project (named by
the link: ?subject_type=<app_label.model>&subject_id=<pk>, with the check and the partner if
known), assigned to a partner; the question is the first message of its thread. Nobody else
raises one; a record of another type, or of another project, is 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.forms.queries import query_create_url
from impact.models import DataQuery, QueryMessage
from projects.models import Partner, Project
from tests.events.factories import make_attendance, make_event
from tests.factories import (
    make_deliverable,
    make_organisation,
    make_partner,
    make_project,
    make_risk,
    make_work_package,
)
from tests.impact.factories import make_indicator, make_query, make_value
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_period,
    make_supplier,
    make_tender,
)

pytestmark = pytest.mark.django_db

QUESTION = "RP1 counts 40 participants but the breakdown by gender adds up to 34."


def records_of(project: Project, partner: Partner) -> dict[str, models.Model]:
    """One record of each type a query may be about, in `project`, each `partner`'s to answer
    for (it reports the value, keeps the tender, organises the event, leads, owns)."""
    period = project.periods.first() or make_period(project)
    indicator = make_indicator(project, reporting_partners=[partner])
    tender = make_tender(project, recorded_by=partner, authority=partner.organisation)
    make_contract(tender.lots.get(number=1), supplier=make_supplier(f"Supplier in {project.slug}"))
    clause = make_clause(tender, lot=tender.lots.get(number=1))
    event = make_event(project, organiser=partner)
    work_package = project.work_packages.first() or make_work_package(project, lead=partner)
    return {
        "impact.indicatorvalue": make_value(indicator, partner, period),
        "procurement.clauseoutcome": make_clause_outcome(clause, period),
        "events.attendance": make_attendance(make_event(project, organiser=partner)),
        "events.event": event,
        "procurement.tender": tender,
        "projects.deliverable": make_deliverable(work_package, lead=partner),
        "projects.risk": make_risk(project, owner=partner),
    }


def other_project() -> Project:
    other = make_project("Other", slug="other")
    make_partner(other, make_organisation("Elsewhere"), number=1)
    return other


def url(project: Project, label: str, pk: int, **params: Any) -> str:
    query = urlencode({"subject_type": label, "subject_id": pk, **params})
    return reverse("impact:query_create", args=[project.slug]) + "?" + query


@pytest.fixture
def cora(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


@pytest.fixture
def p3(project: Project) -> Partner:
    return project.partners.get(number=3)


@pytest.fixture
def records(project: Project, p3: Partner) -> dict[str, models.Model]:
    return records_of(project, p3)


@pytest.mark.parametrize(
    "label",
    [
        "impact.indicatorvalue",
        "procurement.clauseoutcome",
        "events.attendance",
        "events.event",
        "procurement.tender",
        "projects.deliverable",
        "projects.risk",
    ],
)
def test_the_form_names_the_record_and_offers_the_partner_that_answers_for_it(
    cora: Client, project: Project, records: dict[str, models.Model], p3: Partner, label: str
) -> None:
    record = records[label]
    response = cora.get(url(project, label, record.pk))

    assert response.status_code == 200
    subject = response.context["subject"]
    assert subject.record == record
    assert response.context["form"]["assigned_to"].value() == p3.pk
    html = response.content.decode()
    assert f'href="{subject.url}"' in html
    assert str(record._meta.verbose_name) in html
    # The form posts back to the same address: the record stays in the query string.
    assert f'action="{url(project, label, record.pk)}"'.replace("&", "&amp;") in html


def test_the_link_may_name_the_check_and_another_partner(
    cora: Client, project: Project, records: dict[str, models.Model]
) -> None:
    value = records["impact.indicatorvalue"]
    p2 = project.partners.get(number=2)
    link = query_create_url(project, value, check_code="breakdown_sum", partner=p2)
    assert link == url(project, "impact.indicatorvalue", value.pk, check="breakdown_sum", partner=2)

    response = cora.get(link)

    assert response.status_code == 200
    assert response.context["form"]["assigned_to"].value() == p2.pk
    assert "<code>breakdown_sum</code>" in response.content.decode()


def test_the_coordinator_raises_a_query_and_its_question_opens_the_thread(
    cora: Client, coordinator: User, project: Project, records: dict[str, models.Model], p3: Partner
) -> None:
    outcome = records["procurement.clauseoutcome"]
    link = url(project, "procurement.clauseoutcome", outcome.pk, check="breakdown_sum")

    response = cora.post(link, {"assigned_to": p3.pk, "question": f"  {QUESTION}  "})

    query = DataQuery.objects.get()
    assert response.status_code == 302
    assert response["Location"] == query.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Query {query.pk} raised and assigned to P3 Voorbeeld."
    ]
    assert query.project == project
    assert (query.subject_type, query.subject_id) == (
        ContentType.objects.get_for_model(outcome),
        outcome.pk,
    )
    assert query.subject == outcome
    assert (query.check_code, query.question, query.assigned_to) == ("breakdown_sum", QUESTION, p3)
    assert (query.status, query.raised_by) == (DataQuery.Status.OPEN, coordinator)
    message = QueryMessage.objects.get()
    assert (message.query, message.kind, message.author, message.text) == (
        query,
        QueryMessage.Kind.QUESTION,
        coordinator,
        QUESTION,
    )
    assert message.at is not None
    record = query.history.get()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Raised")


def test_a_query_without_a_question_is_refused(
    cora: Client, project: Project, records: dict[str, models.Model], p3: Partner
) -> None:
    risk = records["projects.risk"]
    response = cora.post(url(project, "projects.risk", risk.pk), {"assigned_to": p3.pk})

    assert response.status_code == 422
    assert response.context["form"].errors["question"] == ["This field is required."]
    assert not DataQuery.objects.exists()
    assert not QueryMessage.objects.exists()


def test_a_partner_of_another_project_cannot_be_assigned(
    cora: Client, project: Project, records: dict[str, models.Model]
) -> None:
    stranger = other_project().partners.get()
    risk = records["projects.risk"]
    response = cora.post(
        url(project, "projects.risk", risk.pk), {"assigned_to": stranger.pk, "question": QUESTION}
    )
    assert response.status_code == 422
    assert "assigned_to" in response.context["form"].errors
    assert not DataQuery.objects.exists()


def test_the_form_shows_the_queries_already_open_on_the_record(
    cora: Client, project: Project, records: dict[str, models.Model], p3: Partner
) -> None:
    value = records["impact.indicatorvalue"]
    earlier = make_query(value, project=project, assigned_to=p3, question="Is 5 right?")
    make_query(value, project=project, assigned_to=p3, status=DataQuery.Status.RESOLVED)

    response = cora.get(url(project, "impact.indicatorvalue", value.pk))

    assert response.context["unresolved"] == [earlier]
    html = response.content.decode()
    assert "This record has a query that is not closed yet:" in html
    assert earlier.get_absolute_url() in html


@pytest.mark.parametrize(
    "label",
    [
        "impact.indicatorvalue",
        "procurement.clauseoutcome",
        "events.attendance",
        "events.event",
        "procurement.tender",
        "projects.deliverable",
        "projects.risk",
    ],
)
def test_a_record_of_another_project_is_404(
    cora: Client, project: Project, records: dict[str, models.Model], label: str
) -> None:
    other = other_project()
    theirs = records_of(other, other.partners.get())[label]
    assert cora.get(url(project, label, theirs.pk)).status_code == 404
    response = cora.post(url(project, label, theirs.pk), {"question": QUESTION})
    assert response.status_code == 404
    assert not DataQuery.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"subject_type": "projects.project", "subject_id": 1},  # not a type a query is about
        {"subject_type": "accounts.user", "subject_id": 1},
        {"subject_type": "projects.risk", "subject_id": 999999},  # no such record
        {"subject_type": "projects.risk"},
        {"subject_type": "projects.risk", "subject_id": "R1"},
        {"subject_type": "projects.risk", "subject_id": "{risk}", "check": "<script>"},
        {},
    ],
)
def test_anything_else_is_404(
    cora: Client, project: Project, records: dict[str, models.Model], params: dict[str, Any]
) -> None:
    params = {k: str(v).format(risk=records["projects.risk"].pk) for k, v in params.items()}
    link = reverse("impact:query_create", args=[project.slug]) + "?" + urlencode(params)
    assert cora.get(link).status_code == 404


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_raises_queries(
    client: Client,
    project: Project,
    records: dict[str, models.Model],
    p3: Partner,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(who))
    link = url(project, "projects.risk", records["projects.risk"].pk)
    assert client.get(link).status_code == 403
    response = client.post(link, {"assigned_to": p3.pk, "question": QUESTION})
    assert response.status_code == 403
    assert not DataQuery.objects.exists()
    assert not QueryMessage.objects.exists()


def test_outsider_gets_404(
    client: Client, outsider: User, project: Project, records: dict[str, models.Model], p3: Partner
) -> None:
    client.force_login(outsider)
    link = url(project, "projects.risk", records["projects.risk"].pk)
    assert client.get(link).status_code == 404
    assert client.post(link, {"assigned_to": p3.pk, "question": QUESTION}).status_code == 404
    assert not DataQuery.objects.exists()


def test_anonymous_is_sent_to_login(
    client: Client, project: Project, records: dict[str, models.Model], p3: Partner
) -> None:
    link = url(project, "projects.risk", records["projects.risk"].pk)
    response = client.post(link, {"assigned_to": p3.pk, "question": QUESTION})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not DataQuery.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(
    cora: Client, project: Project, records: dict[str, models.Model], method: str
) -> None:
    link = url(project, "projects.risk", records["projects.risk"].pk)
    assert getattr(cora, method)(link).status_code == 405
