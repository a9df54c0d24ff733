from django.urls import path

from projects.views import dashboard, deliverables, notifications, planning, risks

app_name = "projects"
P = "p/<slug:slug>/"
D = P + "deliverables/<str:number>/"
urlpatterns = [
    path("", dashboard.home, name="home"),
    path(P, dashboard.project_dashboard, name="project_dashboard"),
    # A person's inbox, across their projects.
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/count/", notifications.notification_count, name="notification_count"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "notifications/<int:pk>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    # Work packages, milestones and the timeline: the plan.
    path(P + "work-packages/", planning.workpackage_list, name="workpackage_list"),
    path(P + "work-packages/<int:number>/", planning.workpackage_detail, name="workpackage_detail"),
    path(P + "milestones/", planning.milestone_list, name="milestone_list"),
    path(P + "milestones/<str:number>/", planning.milestone_detail, name="milestone_detail"),
    path(
        P + "milestones/<str:number>/achieve/", planning.milestone_achieve, name="milestone_achieve"
    ),
    path(P + "timeline/", planning.timeline, name="timeline"),
    # Deliverables.
    path(P + "deliverables/", deliverables.deliverable_list, name="deliverable_list"),
    path(P + "deliverables.<str:fmt>", deliverables.deliverable_export, name="deliverable_export"),
    path(P + "deliverables/new/", deliverables.deliverable_create, name="deliverable_create"),
    path(D, deliverables.deliverable_detail, name="deliverable_detail"),
    path(D + "edit/", deliverables.deliverable_edit, name="deliverable_edit"),
    path(D + "start/", deliverables.deliverable_start, name="deliverable_start"),
    path(D + "submit/", deliverables.deliverable_submit, name="deliverable_submit"),
    path(
        D + "request-changes/",
        deliverables.deliverable_request_changes,
        name="deliverable_request_changes",
    ),
    path(D + "approve/", deliverables.deliverable_approve, name="deliverable_approve"),
    path(
        D + "record-submission/",
        deliverables.deliverable_record_submission,
        name="deliverable_record_submission",
    ),
    path(D + "progress/", deliverables.deliverable_progress_add, name="deliverable_progress_add"),
    path(
        D + "versions/", deliverables.deliverable_version_upload, name="deliverable_version_upload"
    ),
    path(
        D + "versions/<int:pk>/download/",
        deliverables.deliverable_version_download,
        name="deliverable_version_download",
    ),
    # The risk register.
    path(P + "risks/", risks.risk_list, name="risk_list"),
    path(P + "risks/new/", risks.risk_create, name="risk_create"),
    path(P + "risks/<int:number>/", risks.risk_detail, name="risk_detail"),
    path(P + "risks/<int:number>/edit/", risks.risk_edit, name="risk_edit"),
    path(P + "risks/<int:number>/reviews/", risks.risk_review_add, name="risk_review_add"),
]
