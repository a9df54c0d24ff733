from django.urls import path

from impact.views import entry, indicators, quality, queries

app_name = "impact"

P = "p/<slug:slug>/"
IND = P + "indicators/<str:code>/"
V = P + "values/<int:pk>/"
Q = P + "queries/<int:pk>/"

urlpatterns = [
    path(P + "impact/", indicators.impact_overview, name="impact_overview"),
    path(P + "impact/values.<str:fmt>", indicators.value_export, name="value_export"),
    path(P + "indicators/new/", indicators.indicator_create, name="indicator_create"),
    path(IND, indicators.indicator_detail, name="indicator_detail"),
    path(IND + "edit/", indicators.indicator_edit, name="indicator_edit"),
    path(
        P + "impact/entry/<int:partner_number>/<int:period_number>/",
        entry.value_entry,
        name="value_entry",
    ),
    path(V + "edit/", entry.value_edit, name="value_edit"),
    path(V + "submit/", entry.value_submit, name="value_submit"),
    path(V + "validate/", entry.value_validate, name="value_validate"),
    path(V + "send-back/", entry.value_send_back, name="value_send_back"),
    path(V + "evidence/", entry.value_evidence_upload, name="value_evidence_upload"),
    path(
        V + "evidence/<int:evidence_pk>/",
        entry.value_evidence_download,
        name="value_evidence_download",
    ),
    path(P + "data-quality/", quality.data_quality, name="data_quality"),
    path(P + "queries/new/", queries.query_create, name="query_create"),
    path(Q, queries.query_detail, name="query_detail"),
    path(Q + "answer/", queries.query_answer, name="query_answer"),
    path(Q + "close/", queries.query_close, name="query_close"),
]
