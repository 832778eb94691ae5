from django.urls import path

from . import tus, views

app_name = "records"
urlpatterns = [
    path("case/<int:case_id>/", views.case_records, name="case"),
    path("case/<int:case_id>/upload/", views.upload, name="upload"),
    path("case/<int:case_id>/capture/", views.capture, name="capture"),
    path("case/<int:case_id>/uploads/", tus.uploads, name="uploads"),
    path("case/<int:case_id>/uploads/<slug:token>/", tus.upload, name="resumable"),
    path("case/<int:case_id>/file/", views.case_file, name="file"),
    path("case/<int:case_id>/export.zip", views.export_case, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/stream/", views.stream, name="stream"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/request/", views.request_access, name="request"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/history.pdf", views.history_pdf, name="history_pdf"),
    path("requests/", views.access_requests, name="requests"),
    path("requests/<int:request_id>/decide/", views.decide, name="decide"),
    path("av-list/", views.av_list, name="av_list"),
    path("av-list/export.xlsx", views.av_export, name="av_export"),
    path("av-list/import/", views.av_import, name="av_import"),
    path("av-list/<int:line_id>/retire/", views.av_retire, name="av_retire"),
]
