from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "sanxiang.workbench"
    label = "workbench"
    verbose_name = "工作台"
