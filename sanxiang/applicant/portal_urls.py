"""办理进度查询 on the portal, under /gongshi/jindu/ (wired in sanxiang/urls.py)."""

from django.urls import path

from . import identity, portal_views

app_name = "applicant_portal"
urlpatterns = [
    path("", portal_views.progress_query, name="progress"),
    # 统一身份认证 in front of the links, when configured (identity.py, docs/identity.md).
    path("shiming/", identity.start, name="real_name"),
    path("shiming/fanhui/", identity.callback, name="real_name_callback"),
    path("l/<str:token>/", portal_views.link_progress, name="link"),
    path("l/<str:token>/bangding/", portal_views.link_rebind, name="rebind"),
    path("l/<str:token>/shenbian/", portal_views.link_defence, name="defence"),
    path("l/<str:token>/wenshu/<int:document_id>.pdf", portal_views.link_document, name="document"),
    path("l/<str:token>/tingzheng/", portal_views.link_hearing, name="hearing"),
    path("l/<str:token>/huizhi.pdf", portal_views.link_receipt, name="receipt"),
    path(
        "l/<str:token>/buzheng/cailiao/",
        portal_views.link_supplement_upload,
        name="supplement_upload",
    ),
    path(
        "l/<str:token>/buzheng/tijiao/",
        portal_views.link_supplement_submit,
        name="supplement_submit",
    ),
]
