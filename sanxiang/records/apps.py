from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sanxiang.records"
    label = "records"
    verbose_name = "音像与证据"

    def ready(self) -> None:
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.ledger import registry
        from sanxiang.procedures.engine import register_guard
        from sanxiang.workbench import panels

        from . import tasks  # noqa: F401 - registers the hourly upload cleanup
        from .events import EVENT_TYPES
        from .guards import av_record_guard
        from .panels import case_records, retrieval_requests

        register_guard(av_record_guard)
        panels.register(retrieval_requests)
        register_case_panel(case_records)

        from sanxiang.cases.services.parties import register_letter_choices, register_letter_lookup

        from .queries import documentary_records, record_hash

        register_letter_lookup(record_hash)
        register_letter_choices(documentary_records)
        registry.register(*EVENT_TYPES)

        from sanxiang.workbench import inbox, notifications

        from . import inbox as inbox_sources

        inbox.register_all(inbox_sources.SOURCES)
        notifications.register_rules(inbox_sources.NOTICES)

        from sanxiang.ledger import reconcile

        from . import reconcile as state

        reconcile.register(state.RECONCILER)
