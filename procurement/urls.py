from django.urls import path

from procurement.views import outcomes, parts, plans, practices, summary, tenders

app_name = "procurement"

P = "p/<slug:slug>/"
T = P + "tenders/<int:pk>/"
OUT = T + "outcomes/<int:outcome_pk>/"

urlpatterns = [
    path(P + "tenders/", tenders.tender_list, name="tender_list"),
    path(P + "tenders.<str:fmt>", tenders.tender_export, name="tender_export"),
    path(P + "tenders/new/", tenders.tender_create, name="tender_create"),
    path(T, tenders.tender_detail, name="tender_detail"),
    path(T + "edit/", tenders.tender_edit, name="tender_edit"),
    path(T + "delete/", tenders.tender_delete, name="tender_delete"),
    path(T + "lots/new/", parts.lot_create, name="lot_create"),
    path(T + "lots/<int:number>/edit/", parts.lot_edit, name="lot_edit"),
    path(T + "lots/<int:number>/delete/", parts.lot_delete, name="lot_delete"),
    path(T + "lots/<int:number>/contract/", parts.contract_edit, name="contract_edit"),
    path(T + "clauses/new/", parts.clause_create, name="clause_create"),
    path(T + "clauses/<int:clause_pk>/edit/", parts.clause_edit, name="clause_edit"),
    path(T + "clauses/<int:clause_pk>/delete/", parts.clause_delete, name="clause_delete"),
    path(
        T + "clauses/<int:clause_pk>/outcomes/new/", outcomes.outcome_create, name="outcome_create"
    ),
    path(OUT + "edit/", outcomes.outcome_edit, name="outcome_edit"),
    path(OUT + "submit/", outcomes.outcome_submit, name="outcome_submit"),
    path(OUT + "validate/", outcomes.outcome_validate, name="outcome_validate"),
    path(OUT + "send-back/", outcomes.outcome_send_back, name="outcome_send_back"),
    path(OUT + "evidence/", outcomes.evidence_upload, name="evidence_upload"),
    path(OUT + "evidence/<int:evidence_pk>/", outcomes.evidence_download, name="evidence_download"),
    path(P + "procurement/", summary.procurement_summary, name="procurement_summary"),
    path(P + "action-plans/", plans.action_plan_list, name="action_plan_list"),
    path(P + "action-plans/new/", plans.action_plan_create, name="action_plan_create"),
    path(P + "action-plans/<int:pk>/", plans.action_plan_detail, name="action_plan_detail"),
    path(P + "action-plans/<int:pk>/edit/", plans.action_plan_edit, name="action_plan_edit"),
    path(
        P + "action-plans/<int:pk>/actions/new/",
        plans.plan_action_create,
        name="plan_action_create",
    ),
    path(
        P + "action-plans/<int:pk>/actions/<int:number>/edit/",
        plans.plan_action_edit,
        name="plan_action_edit",
    ),
    path(P + "good-practices/", practices.good_practice_list, name="good_practice_list"),
    path(P + "good-practices/new/", practices.good_practice_create, name="good_practice_create"),
    path(
        P + "good-practices/<int:pk>/", practices.good_practice_detail, name="good_practice_detail"
    ),
    path(
        P + "good-practices/<int:pk>/edit/", practices.good_practice_edit, name="good_practice_edit"
    ),
]
