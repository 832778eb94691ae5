from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("transfers/<int:pk>/handle/", views.handle, name="handle"),
    path("clients/", views.clients, name="clients"),
    path("clients/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("endpoints/", views.endpoints, name="endpoints"),
    path("endpoints/<int:pk>/switch/", views.switch, name="switch"),
    path("messages/", views.messages_page, name="messages"),
    path("messages/<int:pk>/retry/", views.retry, name="retry"),
    path("shuanggongshi.<str:fmt>", views.credit_file, name="credit_file"),
    path("shuanggongshi-xuke.<str:fmt>", views.licence_file, name="licence_file"),
]
