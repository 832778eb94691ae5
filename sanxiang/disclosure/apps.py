from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "sanxiang.disclosure"
    label = "disclosure"
    verbose_name = "公示"

    def ready(self) -> None:
        from sanxiang.ledger import registry
        from sanxiang.procedures import engine
        from sanxiang.workbench import panels

        from . import hooks, tasks  # noqa: F401 - tasks registers the daily expiry and reminder
        from . import panels as disclosure_panels
        from .events import EVENT_TYPES

        engine.register_after_transition(hooks.queue_decision)
        panels.register(disclosure_panels.publications_due)

        from sanxiang.catalog import calendar as catalog_calendar

        from . import calendar

        catalog_calendar.register_recomputer(calendar.recompute_for_year)
        registry.register(*EVENT_TYPES)

        from sanxiang.workbench import inbox

        from . import inbox as inbox_sources

        inbox.register_all(inbox_sources.SOURCES)

        from sanxiang.ledger import reconcile

        from . import reconcile as state

        reconcile.register(state.RECONCILER)

        from . import listeners, portal_cache

        # Cached public lists are dropped once a publication or withdrawal commits.
        listeners.on_published(portal_cache.invalidate_on_commit)
        listeners.on_withdrawn(portal_cache.invalidate_on_commit)
        # …and the 事前 lists once a master-data change (a ledger entry without a case) commits.
        from sanxiang.ledger import services as ledger_services

        ledger_services.on_append(portal_cache.on_ledger_append)
