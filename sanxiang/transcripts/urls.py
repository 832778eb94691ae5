from django.urls import path

from . import views

app_name = "transcripts"
urlpatterns = [
    path("case/<int:case_id>/new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/sign/<int:participant_id>/", views.sign, name="sign"),
    path("<int:pk>/refuse/<int:participant_id>/", views.refuse, name="refuse"),
    path("<int:pk>/seal/", views.seal, name="seal"),
]
