from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("cases/", views.figure_cases, name="cases"),
]
