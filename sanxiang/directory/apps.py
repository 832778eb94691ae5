from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "sanxiang.directory"
    label = "directory"
    verbose_name = "执法主体与人员"

    def ready(self) -> None:
        from sanxiang.ledger import reconcile, registry
        from sanxiang.workbench import panels

        from . import reconcile as state
        from .events import EVENT_TYPES
        from .panels import agency_summary

        panels.register(agency_summary)
        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)
