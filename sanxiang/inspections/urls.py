from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/freeze/", views.plan_freeze, name="plan_freeze"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="plan_draw"),
    path("plans/<int:pk>/redraw/", views.plan_redraw, name="plan_redraw"),
    path("plans/<int:pk>/certificate-<int:round_no>.json", views.certificate, name="certificate"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/", views.target, name="target"),
    path("conflicts/", views.conflicts, name="conflicts"),
]
