from django.urls import path

from . import collective_views, views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/export.xlsx", views.catalogue_export, name="catalogue_export"),
    path("catalogue/import/", views.catalogue_import, name="catalogue_import"),
    path("gongshi/<int:agency_pk>/", views.public_catalogue, name="public_catalogue"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/review/", views.round_review, name="round_review"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:pk>/extend/", views.round_extend, name="round_extend"),
    path("rounds/<int:pk>/dispute/", views.round_dispute, name="round_dispute"),
    path("rounds/<int:pk>/opinion.pdf", views.round_pdf, name="round_pdf"),
    path("cases/<int:case_pk>/", views.history, name="history"),
    path("cases/<int:case_pk>/submit/", views.submit, name="submit"),
    path("cases/<int:case_pk>/flag/", views.flag, name="flag"),
    path("cases/<int:case_pk>/discussion/", views.discussion, name="discussion"),
    # 行政处罚法 第57条第2款: the heads' 集体讨论 of a case, from the case page (h10a).
    path("cases/<int:pk>/collective/", collective_views.convene, name="collective"),
]
