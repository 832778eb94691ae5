from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "sanxiang.workbench"
    label = "workbench"
    verbose_name = "工作台"

    def ready(self) -> None:
        from . import panels
        from .panels import inbox_panel

        panels.register(inbox_panel)
