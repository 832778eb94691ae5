from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "sanxiang.supervision"
    label = "supervision"
    verbose_name = "执法监督"

    def ready(self) -> None:
        from sanxiang.ledger import registry
        from sanxiang.lib import orphans

        from . import notices, tasks  # noqa: F401 - tasks registers the daily escalation
        from .events import EVENT_TYPES

        registry.register(*EVENT_TYPES)
        orphans.register(notices.OBJECT_PREFIX, notices.referenced_objects)

        from sanxiang.workbench import inbox, panels

        from .panels import supervision_links

        panels.register(supervision_links)

        from . import inbox as inbox_sources

        inbox.register_all(inbox_sources.SOURCES)
