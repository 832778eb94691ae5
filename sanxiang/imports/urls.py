from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("<str:token>/", views.report, name="report"),
    path("<str:token>/annotated.xlsx", views.annotated, name="annotated"),
]
