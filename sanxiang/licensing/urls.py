from django.urls import path

from . import views

app_name = "licensing"
urlpatterns = [
    path("cases/<int:pk>/terms/", views.set_terms, name="terms"),
    path("cases/<int:pk>/extend/", views.extend, name="extend"),
]
