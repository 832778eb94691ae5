from django.urls import include, path

from sanxiang.api.api import api

urlpatterns = [
    path("", include("sanxiang.workbench.urls")),
    path("accounts/", include("sanxiang.accounts.urls")),
    path("directory/", include("sanxiang.directory.urls")),
    path("catalog/", include("sanxiang.catalog.urls")),
    path("records/", include("sanxiang.records.urls")),
    path("ledger/", include("sanxiang.ledger.urls")),
    path("documents/", include("sanxiang.documents.urls")),
    path("transcripts/", include("sanxiang.transcripts.urls")),
    path("review/", include("sanxiang.review.urls")),
    path("gongshi/jindu/", include("sanxiang.applicant.portal_urls")),
    path("gongshi/shenqing/", include("sanxiang.applicant.intake_urls")),
    path("gongshi/choucha/jihua/", include("sanxiang.inspections.portal_urls")),
    path("gongshi/", include("sanxiang.disclosure.portal_urls")),
    path("disclosure/", include("sanxiang.disclosure.urls")),
    path("cases/", include("sanxiang.cases.urls")),
    path("inspections/", include("sanxiang.inspections.urls")),
    path("exchange/", include("sanxiang.exchange.urls")),
    path("applicant/", include("sanxiang.applicant.urls")),
    path("licensing/", include("sanxiang.licensing.urls")),
    path("coercion/", include("sanxiang.coercion.urls")),
    path("procedures/", include("sanxiang.procedures.urls")),
    path("supervision/", include("sanxiang.supervision.urls")),
    path("imports/", include("sanxiang.imports.urls")),
    path("api/v1/", api.urls),
]

handler400 = "sanxiang.disclosure.portal_views.bad_request"
handler403 = "sanxiang.disclosure.portal_views.permission_denied"
handler404 = "sanxiang.disclosure.portal_views.page_not_found"
handler500 = "sanxiang.disclosure.portal_views.server_error"
