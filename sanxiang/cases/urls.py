from django.urls import path

from . import execution_views, hearing_views, no_penalty_views, party_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("export.<str:fmt>", views.case_export, name="export"),
    path("configuration/", views.configuration, name="configuration"),
    path("benchmarks/export.xlsx", views.benchmarks_export, name="benchmarks_export"),
    path("benchmarks/import/", views.benchmarks_import, name="benchmarks_import"),
    # Public: the portal embeds a matter's flowchart (no login).
    path(
        "flowcharts/<int:matter_id>/<slug:code>.svg",
        views.matter_flowchart,
        name="matter_flowchart",
    ),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/transition/", views.case_transition, name="transition"),
    path("<int:pk>/defence/", views.case_defence, name="defence"),
    path("<int:pk>/closing/request/", views.closing_request, name="closing_request"),
    path("<int:pk>/hearing/", hearing_views.schedule, name="hearing"),
    path("<int:pk>/transfer/", hearing_views.transfer, name="transfer"),
    path("<int:pk>/no-penalty/", no_penalty_views.prepare, name="no_penalty"),
    path("<int:pk>/closing/return/", views.closing_return, name="closing_return"),
    path("<int:pk>/execution/", execution_views.case_execution, name="execution"),
    path("<int:pk>/draft/", views.case_draft, name="draft"),
    path("<int:pk>/parties/new/", party_views.party_add, name="party_add"),
    path("<int:pk>/witnesses/new/", party_views.witness_add, name="witness_add"),
    path("parties/<int:pk>/", party_views.party_edit, name="party_edit"),
    path("parties/<int:pk>/remove/", party_views.party_remove, name="party_remove"),
    path("parties/<int:pk>/agents/new/", party_views.agent_add, name="agent_add"),
    path("agents/<int:pk>/withdraw/", party_views.agent_withdraw, name="agent_withdraw"),
    path("<int:pk>/recusals/", views.recusal_request, name="recusal_request"),
    path("recusals/<int:pk>/decide/", views.recusal_decide, name="recusal_decide"),
    path("deadlines/<int:pk>/pause/", views.deadline_pause, name="deadline_pause"),
    path("deadlines/<int:pk>/resume/", views.deadline_resume, name="deadline_resume"),
]
