from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("officers/", views.officers, name="officers"),
    path("officers/new/", views.officer_edit, name="officer_new"),
    path("officers/export.xlsx", views.officers_export, name="officers_export"),
    path("officers/import/", views.officers_import, name="officers_import"),
    path("officers/<int:pk>/", views.officer_detail, name="officer"),
    path("officers/<int:pk>/edit/", views.officer_edit, name="officer_edit"),
]
