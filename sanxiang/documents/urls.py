from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("case/<int:case_id>/", views.case_documents, name="case_documents"),
    path("case/<int:case_id>/issue/", views.issue, name="issue"),
    path("<int:pk>/download/<str:fmt>/", views.download, name="download"),
    path("step-requirements/", views.step_requirements, name="step_requirements"),
    path(
        "step-requirements/<int:pk>/end/", views.step_requirement_end, name="step_requirement_end"
    ),
]
