from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sanxiang.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from sanxiang.catalog import calendar
        from sanxiang.workbench import panels

        from .deadlines import recompute_for_year
        from .panels import my_cases_panel

        panels.register(my_cases_panel)
        calendar.register_recomputer(recompute_for_year)
