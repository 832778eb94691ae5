"""办理进度查询 on the portal, under /gongshi/jindu/ (wired in sanxiang/urls.py)."""

from django.urls import path

from . import portal_views

app_name = "applicant_portal"
urlpatterns = [
    path("", portal_views.progress_query, name="progress"),
    path("l/<str:token>/", portal_views.link_progress, name="link"),
    path("l/<str:token>/shenbian/", portal_views.link_defence, name="defence"),
    path("l/<str:token>/wenshu/<int:document_id>.pdf", portal_views.link_document, name="document"),
]
