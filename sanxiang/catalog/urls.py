from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("matters/", views.matters, name="matters"),
    path("matters/new/", views.matter_edit, name="matter_new"),
    path("matters/export.xlsx", views.matters_export, name="matters_export"),
    path("matters/import/", views.matters_import, name="matters_import"),
    path("matters/<int:pk>/", views.matter_detail, name="matter"),
    path("matters/<int:pk>/revise/", views.matter_edit, name="matter_revise"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/export.xlsx", views.calendar_export, name="calendar_export"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
]
