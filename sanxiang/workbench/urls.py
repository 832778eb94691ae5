from django.urls import path

from . import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox_count"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/email/", views.notifications_email, name="notifications_email"),
    path("notifications/count/", views.notifications_count, name="notifications_count"),
    path("healthz", views.healthz, name="healthz"),
]
