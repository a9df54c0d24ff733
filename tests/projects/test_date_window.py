"""Every date on a form is bounded to a window around the project (projects.forms.dates), and
ids no column can hold are a field's error, not a DataError (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.forms.indicators import IndicatorForm
from impact.models import Indicator
from projects.forms.dates import DateWindowValidator, bound_dates_to, date_window
from projects.models import Deliverable, Milestone, Project, Risk, RiskReview, WorkPackage
from projects.permissions import access_project
from reports.forms import ProgressReportForm
from tests.factories import make_deliverable, make_milestone, make_risk

pytestmark = pytest.mark.django_db

WINDOW_MESSAGE = "is too far from the project (2020-10-01 to 2029-12-31)."


def test_the_window_runs_two_years_before_and_five_after_the_project(project: Project) -> None:
    # M1 = October 2022, M18 = March 2024.
    assert date_window(project) == (dt.date(2020, 10, 1), dt.date(2029, 12, 31))


def test_without_a_project_the_window_still_stops_short_of_the_calendar_ends() -> None:
    first, last = date_window(None)
    assert first > dt.date.min + dt.timedelta(days=366)
    assert last < dt.date.max - dt.timedelta(days=366)


class _Dates(forms.Form):
    day = forms.DateField()
    moment = forms.DateTimeField()
    text = forms.CharField(required=False)


def test_every_date_and_datetime_field_of_a_form_gets_the_bound(project: Project) -> None:
    form = _Dates({"day": "2020-09-30", "moment": "2030-01-01 10:00"})
    bound_dates_to(form, project)
    assert not form.is_valid()
    assert set(form.errors) == {"day", "moment"}
    assert WINDOW_MESSAGE in form.errors["day"][0]
    assert form.fields["day"].widget.attrs == {"min": "2020-10-01", "max": "2029-12-31"}
    assert not any(isinstance(v, DateWindowValidator) for v in form.fields["text"].validators)
    edge = _Dates({"day": "2020-10-01", "moment": "2029-12-31 23:59"})
    bound_dates_to(edge, project)
    assert edge.is_valid(), edge.errors


def test_bounding_twice_keeps_one_validator(project: Project) -> None:
    form = _Dates()
    bound_dates_to(form, project)
    bound_dates_to(form, project)
    assert sum(isinstance(v, DateWindowValidator) for v in form.fields["day"].validators) == 1
    # The class's own field is untouched: another form of the class has no bound.
    assert not any(isinstance(v, DateWindowValidator) for v in _Dates().fields["day"].validators)


# --- the forms of the projects app, through their views ------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1990-06-01", "2035-01-01"])
def test_risk_review_far_from_the_project_is_refused(
    client: Client, coordinator: User, project: Project, day: str
) -> None:
    risk = make_risk(project, owner=project.partners.get(number=2))
    client.force_login(coordinator)
    response = client.post(
        reverse("projects:risk_review_add", args=[project.slug, risk.number]),
        {"review_date": day, "likelihood": 2, "impact": 2, "status": Risk.Status.OPEN,
         "note": "Checked."},
    )  # fmt: skip
    assert response.status_code == 422
    assert WINDOW_MESSAGE in " ".join(response.context["form"].errors["review_date"])
    assert not RiskReview.objects.filter(risk=risk).exists()


def test_milestone_achieved_on_year_one_is_refused(
    client: Client, coordinator: User, project: Project
) -> None:
    milestone = make_milestone(project, number="MS1", due_month=9)
    client.force_login(coordinator)
    response = client.post(
        reverse("projects:milestone_achieve", args=[project.slug, milestone.number]),
        {"achieved_date": "0001-01-01", "achievement_note": "Minutes uploaded."},
    )
    assert response.status_code == 422
    assert Milestone.objects.get(pk=milestone.pk).achieved_date is None


def test_submission_recorded_on_year_one_is_refused(
    client: Client, coordinator: User, work_package: WorkPackage
) -> None:
    deliverable = make_deliverable(work_package, status=Deliverable.Status.APPROVED)
    client.force_login(coordinator)
    response = client.post(
        reverse(
            "projects:deliverable_record_submission",
            args=[deliverable.project.slug, deliverable.number],
        ),
        {"version": deliverable.version, "submitted_date": "0001-01-01",
         "delay_justification": "Late."},
    )  # fmt: skip
    assert response.status_code == 422
    assert Deliverable.objects.get(pk=deliverable.pk).submitted_date is None


@pytest.mark.parametrize(
    "work_package", ["99999999999999999999", "-99999999999999999999", "9" * 5000]
)
def test_risk_with_an_impossible_work_package_id_is_refused_on_the_field(
    client: Client, partner: User, project: Project, work_package: str
) -> None:
    client.force_login(partner)
    response = client.post(
        reverse("projects:risk_create", args=[project.slug]),
        {"title": "Partners leave", "description": "A partner may withdraw.",
         "category": Risk.Category.PARTNERSHIP, "work_packages": [work_package],
         "likelihood": 1, "impact": 3, "mitigation": "A list of stand-ins.",
         "owner": project.partners.get(number=2).pk},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.context["form"].errors["work_packages"]
    assert not Risk.objects.filter(project=project).exists()


# --- the other apps' forms, directly --------------------------------------------------------


def test_progress_report_range_far_from_the_project_is_refused(
    coordinator: User, project: Project
) -> None:
    access = access_project(coordinator, project.slug)
    form = ProgressReportForm(
        {"start_date": "0001-01-01", "end_date": "9999-12-31", "sections": ["deliverables"]},
        access=access,
    )
    assert not form.is_valid()
    assert WINDOW_MESSAGE in form.errors["start_date"][0]
    assert WINDOW_MESSAGE in form.errors["end_date"][0]


def test_indicator_with_an_impossible_reporting_partner_id_is_refused(project: Project) -> None:
    form = IndicatorForm(
        {"code": "KPI9", "name": "Persons employed", "unit": Indicator.Unit.PERSONS,
         "kind": Indicator.Kind.RESULT, "source": Indicator.Source.ENTERED,
         "reporting_partners": ["99999999999999999999"], "target_month": "18"},
        instance=Indicator(project=project),
        project=project,
    )  # fmt: skip
    assert not form.is_valid()
    assert form.errors["reporting_partners"]
