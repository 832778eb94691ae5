from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/exclude/", views.exclude, name="exclude"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/mask/add/", views.add_mask, name="add_mask"),
    path("<int:pk>/mask/lift/", views.lift_mask, name="lift_mask"),
    path("<int:pk>/revocation/", views.revocation, name="revocation"),
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_edit, name="post_new"),
    path("posts/<int:pk>/", views.post_edit, name="post_edit"),
    path("rules/", views.rules, name="rules"),
    path("jiucuo/", views.correction_list, name="corrections"),
    path("jiucuo/<int:pk>/", views.correction_detail, name="correction"),
    path("report/<int:year>/", views.report_edit, name="report"),
    path("report/<int:year>/publish/", views.report_publish, name="report_publish"),
    path("report/<int:year>/facts/", views.report_fact, name="report_fact"),
]
