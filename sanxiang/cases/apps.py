from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sanxiang.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from sanxiang.catalog import calendar
        from sanxiang.ledger import reconcile, registry
        from sanxiang.procedures import engine
        from sanxiang.workbench import panels

        from . import benchmark_reconcile
        from . import execution_reconcile as execution_state
        from . import party_reconcile as party_state
        from . import reconcile as state
        from .deadlines import recompute_for_year
        from .events import EVENT_TYPES
        from .execution import closing_guard
        from .hearings import hearing_order
        from .order import decision_order
        from .panels import my_cases_panel

        engine.register_guard(decision_order)
        engine.register_guard(hearing_order)
        engine.register_guard(closing_guard)
        panels.register(my_cases_panel)
        from .hearing_views import hearing_panel
        from .panels import register_case_panel

        register_case_panel(hearing_panel)
        from .no_penalty_views import no_penalty_panel

        register_case_panel(no_penalty_panel)
        calendar.register_recomputer(recompute_for_year)
        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)
        reconcile.register(execution_state.RECONCILER)
        reconcile.register(benchmark_reconcile.RECONCILER)
        reconcile.register(party_state.RECONCILER)
        reconcile.register_triggers("cases", state.expected_triggers)

        from sanxiang.workbench import inbox, notifications

        from . import inbox as inbox_sources

        inbox.register_all(inbox_sources.SOURCES)
        notifications.register_rules(inbox_sources.NOTICES)
        notifications.register_digest(inbox_sources.deadline_digest)
