from django.urls import path

from . import views

app_name = "coercion"
urlpatterns = [
    path("cases/<int:pk>/items/", views.items, name="items"),
    path("cases/<int:pk>/report/", views.report, name="report"),
    path("cases/<int:pk>/extend/", views.extend, name="extend"),
    path("cases/<int:pk>/release/", views.release, name="release"),
    path("cases/<int:pk>/confiscate/", views.confiscate, name="confiscate"),
]
