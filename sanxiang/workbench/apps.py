from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "sanxiang.workbench"
    label = "workbench"
    verbose_name = "工作台"

    def ready(self) -> None:
        from sanxiang.ledger import registry

        from . import panels, tasks  # noqa: F401 - tasks registers the notifier and the digest
        from .events import EVENT_TYPES

        panels.register(panels.inbox_panel)
        registry.register(*EVENT_TYPES)
