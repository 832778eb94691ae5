from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("<slug:code>.svg", views.flowchart, name="flowchart"),
]
