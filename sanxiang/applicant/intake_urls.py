"""网上申请 on the portal, under /gongshi/shenqing/ (wired in sanxiang/urls.py)."""

from django.urls import path

from . import intake_views

app_name = "applicant_intake"
urlpatterns = [
    path("", intake_views.matters, name="matters"),
    path("<int:matter_id>/", intake_views.start, name="start"),
    path("tianxie/<str:token>/", intake_views.draft, name="draft"),
    path("tianxie/<str:token>/cailiao/", intake_views.upload, name="upload"),
    path("tianxie/<str:token>/tijiao/", intake_views.submit, name="submit"),
]
