from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "sanxiang.exchange"
    label = "exchange"
    verbose_name = "数据交换"

    def ready(self) -> None:
        from sanxiang.disclosure import listeners as disclosure
        from sanxiang.inspections import listeners as inspections
        from sanxiang.ledger import registry
        from sanxiang.procedures import engine
        from sanxiang.workbench import panels

        from . import hooks, tasks  # noqa: F401 - tasks registers the outbox sweep
        from . import panels as exchange_panels
        from .events import EVENT_TYPES

        engine.register_after_transition(hooks.decision_made)
        disclosure.on_published(hooks.decision_published)
        disclosure.on_withdrawn(hooks.decision_withdrawn)
        disclosure.on_report_published(hooks.report_published)
        inspections.on_result_published(hooks.inspection_result_published)
        panels.register(exchange_panels.transfers_waiting)
        registry.register(*EVENT_TYPES)

        from sanxiang.workbench import inbox, notifications

        from . import inbox as inbox_sources

        inbox.register_all(inbox_sources.SOURCES)
        notifications.register_rules(inbox_sources.NOTICES)
