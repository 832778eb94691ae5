from django.urls import path

from . import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox_count"),
    path("healthz", views.healthz, name="healthz"),
]
