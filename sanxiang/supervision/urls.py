from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("cases/", views.figure_cases, name="cases"),
    path("officers/", views.figure_officers, name="officers"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("batches/<int:pk>/certificate.json", views.batch_certificate, name="batch_certificate"),
    path("rollout/", views.rollout_page, name="rollout"),
    path("handbooks/", views.handbook_list, name="handbooks"),
    path(
        "handbooks/<int:pk>/handbook.pdf",
        views.handbook_file,
        {"kind": "pdf"},
        name="handbook_pdf",
    ),
    path(
        "handbooks/<int:pk>/handbook.docx",
        views.handbook_file,
        {"kind": "docx"},
        name="handbook_docx",
    ),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
