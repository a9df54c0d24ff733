"""The projects admin: every changelist and form loads, changelists stay flat, the import view.

Test data is made by the small helpers below (this module does not depend on tests/factories.py).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Membership,
    Milestone,
    Notification,
    Organisation,
    Partner,
    ProgressUpdate,
    Project,
    ReportingPeriod,
    Risk,
    RiskReview,
    WorkPackage,
)
from tests.factories import give_second_factor
from tests.projects.admin_pages import loaded

pytestmark = pytest.mark.django_db

CSV_HEADER = "Number,Title,Work package,Lead,Type,Dissemination,Due month"


# --- helpers ----------------------------------------------------------------------------------


def _user(email: str, **fields: Any) -> User:
    # No password: force_login does not need one, and hashing one costs a second per user.
    user = User.objects.create_user(email, None, **fields)
    if user.is_staff:
        give_second_factor(user)  # staff must have one to use the site (accounts.mfa)
    return user


def _superuser() -> User:
    return _user("admin@example.org", is_staff=True, is_superuser=True)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _project() -> Project:
    """SRPP (M1 = January 2024, 24 months) with P1 EASPD leading WP1 and P2 CoopLab."""
    project = Project.objects.create(
        acronym="SRPP",
        slug="srpp",
        title="Socially responsible public procurement",
        programme=Project.Programme.SMP,
        start_date=dt.date(2024, 1, 1),
        duration_months=24,
    )
    for number, short_name in ((1, "EASPD"), (2, "CoopLab")):
        organisation = Organisation.objects.create(
            short_name=short_name,
            legal_name=f"{short_name} (legal name)",
            country="BE",
            kind=Organisation.Kind.SOCIAL_ECONOMY,
        )
        Partner.objects.create(project=project, organisation=organisation, number=number)
    WorkPackage.objects.create(
        project=project,
        number=1,
        title="Management",
        lead=project.partners.get(number=1),
        start_month=1,
        end_month=24,
    )
    return project


def _deliverables(project: Project, count: int) -> None:
    """D1.1 .. D1.<count>, led alternately by P1 and P2, so no two rows share a lead."""
    work_package = project.work_packages.get(number=1)
    partners = list(project.partners.all())
    start = project.deliverables.count()
    for n in range(start + 1, start + count + 1):
        Deliverable.objects.create(
            project=project,
            work_package=work_package,
            lead=partners[n % 2],
            number=f"D1.{n}",
            title=f"Deliverable {n}",
            due_month=n % 24 + 1,
        )


def _one_of_everything(user: User) -> dict[type[Model], Any]:
    """A row of every projects model, so changelists and change forms render real rows."""
    project = _project()
    _deliverables(project, 1)
    deliverable = project.deliverables.get()
    work_package = project.work_packages.get()
    partner = project.partners.get(number=1)
    milestone = Milestone.objects.create(
        project=project,
        number="MS1",
        title="Kick-off",
        due_month=2,
        means_of_verification="Minutes",
    )
    milestone.work_packages.set([work_package])
    risk = Risk.objects.create(
        project=project,
        title="Low turnout",
        description="Buyers may not come.",
        category=Risk.Category.STAKEHOLDERS,
        owner=partner,
    )
    risk.work_packages.set([work_package])
    return {
        Organisation: partner.organisation,
        Project: project,
        Partner: partner,
        Membership: Membership.objects.create(
            user=user, project=project, partner=partner, role=Membership.Role.COORDINATOR
        ),
        ReportingPeriod: ReportingPeriod.objects.create(
            project=project, number=1, start_month=1, end_month=12
        ),
        WorkPackage: work_package,
        Deliverable: deliverable,
        DeliverableVersion: DeliverableVersion.objects.create(
            deliverable=deliverable,
            file="deliverables/2024/01/handbook.pdf",
            original_name="handbook.pdf",
            content_type="application/pdf",
            size=12_345,
            sha256="0" * 64,
            uploaded_by=user,
        ),
        ProgressUpdate: ProgressUpdate.objects.create(
            deliverable=deliverable, percent=40, note="Draft outline.", author=user
        ),
        Milestone: milestone,
        Risk: risk,
        RiskReview: RiskReview.objects.create(
            risk=risk,
            likelihood=2,
            impact=3,
            status=Risk.Status.MONITORED,
            note="Second invitation sent.",
            reviewed_by=user,
        ),
        Notification: Notification.objects.create(
            recipient=user,
            project=project,
            kind=Notification.Kind.DELIVERABLE_IN_REVIEW,
            content_type=ContentType.objects.get_for_model(deliverable),
            object_id=deliverable.pk,
            subject="D1.1 Handbook",
            link=deliverable.get_absolute_url(),
        ),
    }


def _url(name: str, *args: Any) -> str:
    return reverse(f"admin:projects_{name}", args=args)


def _import_url(project: Project) -> str:
    return _url("project_deliverable_import", project.pk)


def _upload(text: str, name: str = "deliverables.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = name
    return file


# --- every model, every page ------------------------------------------------------------------


def _registered() -> dict[type[Model], admin.ModelAdmin]:
    return {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "projects"
    }


def test_every_projects_model_is_in_the_admin() -> None:
    models = {
        model
        for model in apps.get_app_config("projects").get_models()
        if not model.__name__.startswith("Historical")
    }

    assert set(_registered()) == models


def test_every_projects_changelist_loads_for_a_superuser() -> None:
    user = _superuser()
    _one_of_everything(user)
    client = _client(user)

    for model in _registered():
        response = client.get(_url(f"{model._meta.model_name}_changelist"))
        assert response.status_code == 200, model
        assert response.context["cl"].result_count >= 1, model


def test_every_projects_change_and_add_form_loads_for_a_superuser() -> None:
    user = _superuser()
    objects = _one_of_everything(user)
    client = _client(user)

    for model in _registered():
        name = model._meta.model_name
        response = client.get(_url(f"{name}_change", objects[model].pk))
        assert response.status_code == 200, model
        # Versions come from the upload view, notifications from the workflows.
        expected_add = 403 if model in (DeliverableVersion, Notification) else 200
        assert client.get(_url(f"{name}_add")).status_code == expected_add, model


def test_history_pages_load_for_the_tracked_models() -> None:
    user = _superuser()
    objects = _one_of_everything(user)
    client = _client(user)

    for model in (Deliverable, Milestone, Risk):
        response = client.get(_url(f"{model._meta.model_name}_history", objects[model].pk))
        assert response.status_code == 200, model


def test_deliverable_changelist_query_count_does_not_grow_with_rows(
    django_assert_num_queries: Any,
) -> None:
    client = _client(_superuser())
    project = _project()
    url = _url("deliverable_changelist")
    _deliverables(project, 5)
    client.get(url)  # warm the caches (content types, site) that only the first request fills

    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert response.context["cl"].result_count == 5

    _deliverables(project, 45)
    # 8 queries either way: the session, the user, the project filter's choices, the count
    # (twice: filtered and full), the rows joined to their project, work package and lead
    # organisation, and the date hierarchy's range and months.
    with django_assert_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert response.context["cl"].result_count == 50


def test_deliverable_form_shows_the_due_date_read_only() -> None:
    user = _superuser()
    deliverable = _one_of_everything(user)[Deliverable]

    response = _client(user).get(_url("deliverable_change", deliverable.pk))

    assert "due_date" not in response.context["adminform"].form.fields
    assert deliverable.due_month == 2
    # The site's English date format (coresp/formats/en), not Django's American default.
    assert '<div class="readonly">29 February 2024</div>' in response.text


def test_work_package_inline_adds_a_deliverable_to_its_project() -> None:
    user = _superuser()
    project = _project()
    work_package = project.work_packages.get()
    lead = project.partners.get(number=2)

    response = _client(user).post(
        _url("workpackage_change", work_package.pk),
        {
            "project": project.pk,
            "number": 1,
            "title": "Management",
            "lead": work_package.lead_id,
            "start_month": 1,
            "end_month": 24,
            "objectives": "",
            "deliverables-TOTAL_FORMS": 1,
            "deliverables-INITIAL_FORMS": 0,
            "deliverables-MIN_NUM_FORMS": 0,
            "deliverables-MAX_NUM_FORMS": 1000,
            "deliverables-0-number": "D1.1",
            "deliverables-0-title": "Project handbook",
            "deliverables-0-lead": lead.pk,
            "deliverables-0-type": "R",
            "deliverables-0-dissemination": "PU",
            "deliverables-0-due_month": 6,
            "deliverables-0-work_package": work_package.pk,
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    deliverable = Deliverable.objects.get()
    assert (deliverable.project, deliverable.lead) == (project, lead)
    assert deliverable.due_date == dt.date(2024, 6, 30)


def test_work_package_inline_offers_only_the_projects_partners() -> None:
    user = _superuser()
    project = _project()
    other = Project.objects.create(
        acronym="OTHER", slug="other", title="Other", programme=Project.Programme.ESF,
        start_date=dt.date(2024, 1, 1), duration_months=12,
    )  # fmt: skip
    stranger = Partner.objects.create(
        project=other,
        number=1,
        organisation=Organisation.objects.create(
            short_name="Stranger", legal_name="Stranger", country="FR", kind="ngo"
        ),
    )

    response = _client(user).get(_url("workpackage_change", project.work_packages.get().pk))

    inline_form = response.context["inline_admin_formsets"][0].formset.empty_form
    choices = set(inline_form.fields["lead"].queryset)
    assert choices == set(project.partners.all())
    assert stranger not in choices


# --- the deliverable import view --------------------------------------------------------------


def test_project_change_form_links_to_the_import() -> None:
    user = _superuser()
    project = _project()

    response = _client(user).get(_url("project_change", project.pk))

    assert f'href="{_import_url(project)}"' in response.text


def test_import_view_shows_the_upload_form() -> None:
    user = _superuser()
    project = _project()

    response = _client(user).get(_import_url(project))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert 'type="file"' in response.text


def test_import_view_imports_a_valid_file_and_redirects_to_the_project() -> None:
    user = _superuser()
    project = _project()
    file = _upload(
        f"{CSV_HEADER}\nD1.1,Handbook,WP1,P1,R,PU,M6\nD1.2,Quality plan,1,CoopLab,R,PU,7"
    )

    response = _client(user).post(_import_url(project), {"file": file}, follow=True)

    assert response.redirect_chain == [(_url("project_change", project.pk), 302)]
    assert "2 deliverables imported from deliverables.csv." in response.text
    assert list(project.deliverables.values_list("number", "due_date")) == [
        ("D1.1", dt.date(2024, 6, 30)),
        ("D1.2", dt.date(2024, 7, 31)),
    ]
    assert Deliverable.history.get(number="D1.1").history_user == user


def test_import_view_lists_row_errors_and_imports_nothing() -> None:
    user = _superuser()
    project = _project()
    file = _upload(f"{CSV_HEADER}\nD1.1,Handbook,WP1,P1,R,PU,M6\nD1.2,Quality plan,WP1,P1,R,PU,M30")

    response = _client(user).post(_import_url(project), {"file": file})

    assert response.status_code == 422
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(3, "due month")]
    assert "<td>3</td><td>due month</td>" in response.text
    assert "M30 is outside the project, which runs M1-M24." in response.text
    assert not Deliverable.objects.exists()


def test_import_view_rejects_a_file_that_is_not_a_table() -> None:
    user = _superuser()
    project = _project()

    response = _client(user).post(
        _import_url(project), {"file": _upload("%PDF-1.7", name="deliverables.pdf")}
    )

    assert response.status_code == 422
    assert "CSV file (.csv) or an Excel workbook (.xlsx)" in response.text
    assert not Deliverable.objects.exists()


def test_import_view_without_a_file_asks_for_one() -> None:
    user = _superuser()
    project = _project()

    response = _client(user).post(_import_url(project), {})

    assert response.status_code == 422
    assert response.context["form"].errors == {"file": ["This field is required."]}


def test_import_view_sends_anonymous_users_to_the_login() -> None:
    project = _project()

    response = Client().get(_import_url(project))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_import_view_sends_non_staff_users_to_the_login() -> None:
    project = _project()
    client = _client(_user("partner@example.org"))

    response = client.post(_import_url(project), {"file": _upload(f"{CSV_HEADER}\n")})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Deliverable.objects.exists()


def test_import_view_forbids_staff_without_add_deliverable() -> None:
    project = _project()
    client = _client(_user("staff@example.org", is_staff=True))

    response = client.get(_import_url(project))

    assert response.status_code == 403


def test_import_view_allows_staff_with_add_deliverable() -> None:
    project = _project()
    staff = _user("staff@example.org", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="add_deliverable"))

    response = _client(staff).get(_import_url(project))

    assert response.status_code == 200


def test_import_view_of_an_unknown_project_is_404() -> None:
    response = _client(_superuser()).get(_url("project_deliverable_import", 999))

    assert response.status_code == 404


def test_import_view_refuses_other_methods() -> None:
    project = _project()

    response = _client(_superuser()).put(_import_url(project))

    assert response.status_code == 405


# --- the admin goes through the platform's doors ----------------------------------------------


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_deliverable_status_is_read_only_and_a_save_moves_the_version() -> None:
    user = _superuser()
    deliverable = _one_of_everything(user)[Deliverable]
    client = _client(user)
    url = _url("deliverable_change", deliverable.pk)
    data = loaded(client, url)
    assert "status" not in client.get(url).context["adminform"].form.fields
    assert data["version"] == 1

    response = client.post(url, {**data, "title": "Project handbook", "status": "approved"})

    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.title, deliverable.status) == ("Project handbook", "planned")
    assert deliverable.version == 2  # an edit page opened before this save is now stale
    record = deliverable.history.latest("history_id")
    assert (record.history_change_reason, record.history_user) == ("Changed in the admin", user)


def test_a_stale_deliverable_admin_save_is_refused_and_saves_nothing() -> None:
    user = _superuser()
    deliverable = _one_of_everything(user)[Deliverable]
    client = _client(user)
    url = _url("deliverable_change", deliverable.pk)
    data = loaded(client, url)
    # The lead partner saves on the platform after the admin opened the page.
    deliverable.description = "The partner's description."
    deliverable.save_edit(deliverable.version, reason="Edited")

    response = client.post(url, {**data, "title": "The admin's title"}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert _messages(response) == [
        "Someone else saved this while you were editing it, so nothing on the page was saved. "
        "Here it is as it is now: make your changes again."
    ]
    deliverable.refresh_from_db()
    assert (deliverable.title, deliverable.description) == (
        "Deliverable 1",
        "The partner's description.",
    )
    assert deliverable.version == 2


def test_work_package_inline_edits_a_deliverable_through_the_door() -> None:
    user = _superuser()
    project = _project()
    _deliverables(project, 1)
    deliverable = project.deliverables.get()
    client = _client(user)
    url = _url("workpackage_change", project.work_packages.get().pk)
    data = loaded(client, url)
    assert data["deliverables-0-version"] == 1

    assert client.post(url, {**data, "deliverables-0-title": "Handbook"}).status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.title, deliverable.version) == ("Handbook", 2)

    # The same page posted again is stale for that row: nothing of it is saved.
    response = client.post(url, {**data, "title": "Renamed", "deliverables-0-title": "Old"})
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.title, deliverable.version) == ("Handbook", 2)
    assert project.work_packages.get().title == "Management"


def test_risk_scores_change_only_through_a_review_in_the_admin() -> None:
    user = _superuser()
    risk = _one_of_everything(user)[Risk]
    risk.reviews.all().delete()
    client = _client(user)
    url = _url("risk_change", risk.pk)
    data = loaded(client, url)
    assert {"likelihood", "impact", "status"}.isdisjoint(
        client.get(url).context["adminform"].form.fields
    )

    response = client.post(
        url,
        {
            **data,
            "likelihood": "3",  # ignored: read-only on a raised risk
            "reviews-TOTAL_FORMS": 1,
            "reviews-0-review_date": "2024-02-01",
            "reviews-0-likelihood": "3",
            "reviews-0-impact": "1",
            "reviews-0-status": "monitored",
            "reviews-0-note": "Turnout was good in January.",
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (3, 1, "monitored")
    review = risk.reviews.get()
    assert review.reviewed_by == user
    # The admin's save, then the review's: each moved the version.
    assert risk.version == 3
    assert risk.history.latest("history_id").history_change_reason == "Reviewed on 01 Feb 2024"


def test_an_older_review_added_in_the_admin_is_logged_but_leaves_the_scores() -> None:
    user = _superuser()
    risk = _one_of_everything(user)[Risk]
    client = _client(user)

    response = client.post(
        _url("riskreview_add"),
        {
            "risk": risk.pk,
            "review_date": "2020-01-01",
            "likelihood": "3",
            "impact": "3",
            "status": "materialised",
            "note": "Found in an old file.",
        },
    )

    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (2, 2, "open")
    assert risk.reviews.count() == 2
    assert risk.reviews.get(review_date=dt.date(2020, 1, 1)).reviewed_by == user


def test_a_review_added_in_its_own_admin_updates_the_risk() -> None:
    user = _superuser()
    risk = _one_of_everything(user)[Risk]
    client = _client(user)
    today = timezone.localdate()

    response = client.post(
        _url("riskreview_add"),
        {
            "risk": risk.pk,
            "review_date": today,
            "likelihood": "1",
            "impact": "3",
            "status": "monitored",
            "note": "Second venue booked.",
        },
    )

    assert response.status_code == 302
    review = risk.reviews.latest("pk")
    assert response["Location"] == _url("riskreview_changelist")
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status, risk.version) == (1, 3, "monitored", 2)
    # A review is a dated log: its admin page reads it, nobody changes or removes it.
    assert client.get(_url("riskreview_change", review.pk)).status_code == 200
    assert client.post(_url("riskreview_delete", review.pk), {"post": "yes"}).status_code == 403
    assert risk.reviews.filter(pk=review.pk).exists()


def test_a_review_dated_in_the_future_is_refused_in_the_admin() -> None:
    user = _superuser()
    risk = _one_of_everything(user)[Risk]

    response = _client(user).post(
        _url("riskreview_add"),
        {
            "risk": risk.pk,
            "review_date": timezone.localdate() + dt.timedelta(days=1),
            "likelihood": "1",
            "impact": "1",
            "status": "closed",
            "note": "Early.",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["review_date"] == [
        "The date is in the future."
    ]
    assert risk.reviews.count() == 1


def test_a_risk_admin_save_with_work_packages_writes_one_history_record() -> None:
    user = _superuser()
    risk = _one_of_everything(user)[Risk]
    client = _client(user)
    url = _url("risk_change", risk.pk)
    records = risk.history.count()

    response = client.post(url, {**loaded(client, url), "work_packages": [], "title": "Turnout"})

    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.title, list(risk.work_packages.all()), risk.version) == ("Turnout", [], 2)
    assert risk.history.count() == records + 1
    record = risk.history.latest("history_id")
    assert (record.title, list(record.work_packages.all())) == ("Turnout", [])
