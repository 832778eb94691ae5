from django.urls import path

from . import portal_corrections, portal_ledger, portal_results, portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("zhuti/<int:pk>/", portal_views.agency, name="agency"),
    path("zhuti/<int:pk>/qingdan/", portal_views.lists, name="lists"),
    path("shixiang/", portal_views.matters, name="matters"),
    path("shixiang/<int:matter_id>/", portal_views.guide, name="guide"),
    path("choucha/", portal_views.random_inspections, name="random"),
    path("renyuan/", portal_views.officers, name="officers"),
    path("liucheng/", portal_views.procedures, name="procedures"),
    path("liucheng/fazhishenhe.svg", portal_views.review_flowchart, name="review_flowchart"),
    path(
        "shixiang/<int:matter_id>/shifan/<int:pk>.docx",
        portal_views.sample_download,
        name="sample",
    ),
    path("zhengjian/", portal_views.certificate, name="certificate"),
    path("zhengjian/<str:number>/qr.svg", portal_views.certificate_qr, name="certificate_qr"),
    path("gangwei/<int:pk>/", portal_views.post_board, name="post"),
    path("gangwei/<int:pk>/qr.svg", portal_views.post_qr, name="post_qr"),
    path("zhangzhe/", portal_views.elder_mode, name="elder_mode"),
    path("ditu/", portal_views.sitemap, name="sitemap"),
    path("jueding/", portal_results.decisions, name="decisions"),
    path("jueding/<int:pk>/", portal_results.decision, name="decision"),
    path("jueding.csv", portal_results.decisions_csv, name="decisions_csv"),
    path("jueding.json", portal_results.decisions_json, name="decisions_json"),
    path("jueding.atom", portal_results.DecisionsFeed(), name="decisions_feed"),
    path("verify/", portal_results.verify, name="verify"),
    path("jiucuo/", portal_corrections.report, name="correction"),
    path("jiucuo/cha/", portal_corrections.track, name="correction_track"),
    path("ledger/", portal_ledger.home, name="ledger"),
    path("ledger/checkpoint", portal_ledger.checkpoint_text, name="ledger_checkpoint"),
    path("ledger/checkpoint.json", portal_ledger.checkpoint_json, name="ledger_checkpoint_json"),
    path("ledger/checkpoints.json", portal_ledger.checkpoints_json, name="ledger_checkpoints"),
    path("ledger/keys.json", portal_ledger.keys_json, name="ledger_keys"),
    path("ledger/consistency.json", portal_ledger.consistency_json, name="ledger_consistency"),
    path("ledger/inclusion.json", portal_ledger.inclusion_json, name="ledger_inclusion"),
    path("ledger/tools/<str:name>", portal_ledger.tool_download, name="ledger_tool"),
    path("nianbao/<int:agency_id>/<int:year>/", portal_results.report, name="report"),
    path(
        "nianbao/<int:agency_id>/<int:year>.<str:fmt>",
        portal_results.report_download,
        name="report_download",
    ),
]
