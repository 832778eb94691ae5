from django.urls import path

from . import views

app_name = "applicant"
urlpatterns = [
    path("cases/<int:case_id>/links/", views.link_create, name="link_create"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("cases/<int:case_id>/buzheng/", views.supplement_request, name="supplement"),
    path("cases/<int:case_id>/shouli/", views.accept, name="accept"),
    path("materials/<int:pk>/", views.material, name="material"),
    path("shenbian/fujian/<int:pk>/", views.defence_attachment, name="defence_attachment"),
    path("cases/<int:case_id>/dianzi/", views.delivery_consent, name="delivery_consent"),
    path("cases/<int:case_id>/dianzi/song/", views.delivery_send, name="delivery_send"),
]
