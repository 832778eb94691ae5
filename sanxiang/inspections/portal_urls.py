from django.urls import path

from . import portal_views

app_name = "choucha"
urlpatterns = [
    path("", portal_views.plans, name="plans"),
    path("<int:pk>/", portal_views.plan, name="plan"),
    path("<int:pk>/zhengshu-<int:round_no>.json", portal_views.certificate, name="certificate"),
    path("verify_draw.zip", portal_views.verifier, name="verifier"),
]
