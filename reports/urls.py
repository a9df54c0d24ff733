from django.urls import path

from reports.views import conference, generated

app_name = "reports"
P = "p/<slug:slug>/"
R = P + "events/<int:event_id>/report/"
urlpatterns = [
    # The written account of an event, and the recommendations drawn from published ones.
    path(R + "edit/", conference.conference_report_edit, name="conference_report_edit"),
    path(R + "submit/", conference.conference_report_submit, name="conference_report_submit"),
    path(R + "publish/", conference.conference_report_publish, name="conference_report_publish"),
    path(
        R + "send-back/", conference.conference_report_send_back, name="conference_report_send_back"
    ),
    path(R + "pdf/", generated.conference_report_pdf, name="conference_report_pdf"),
    path(P + "recommendations/", conference.recommendation_list, name="recommendation_list"),
    path(P + "recommendations.csv", conference.recommendation_export, name="recommendation_export"),
    # PDFs rendered in the background: progress reports, and conference reports' PDFs.
    path(P + "reports/", generated.report_list, name="report_list"),
    path(P + "reports/request/", generated.progress_report_request, name="progress_report_request"),
    path(P + "reports/<int:pk>/", generated.report_detail, name="report_detail"),
    path(P + "reports/<int:pk>/download/", generated.report_download, name="report_download"),
    path(P + "reports/<int:pk>/retry/", generated.report_retry, name="report_retry"),
    path(P + "reports/<int:pk>/delete/", generated.report_delete, name="report_delete"),
]
