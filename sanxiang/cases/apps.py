from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sanxiang.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from sanxiang.workbench import panels

        from .panels import my_cases_panel

        panels.register(my_cases_panel)
