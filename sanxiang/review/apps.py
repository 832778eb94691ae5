from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "sanxiang.review"
    label = "review"
    verbose_name = "法制审核"

    def ready(self) -> None:
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.ledger import reconcile, registry
        from sanxiang.procedures import engine
        from sanxiang.records import grants as record_grants
        from sanxiang.workbench import panels as workbench_panels

        from . import gate, opinion, panels
        from . import reconcile as state
        from .events import EVENT_TYPES
        from .grants import assigned_reviewer_grants

        # The assigned reviewer opens the case's records while the round is open (item 10).
        record_grants.register(assigned_reviewer_grants)
        engine.register_guard(gate.decision_gate)
        from sanxiang.documents.queries import register_sheet_text

        from . import collective

        # 行政处罚法 第57条第2款: after the review's gate, the heads' 集体讨论 and its record.
        engine.register_guard(collective.collective_guard)
        register_sheet_text(
            collective.KIND,
            collective.record_text,
            required="制发《集体讨论记录》前须先由负责人登记集体讨论（行政处罚法 第57条第2款）。",
        )
        engine.register_after_transition(gate.after_transition)
        workbench_panels.register(panels.pending_reviews)
        register_case_panel(panels.case_review_status)
        from .collective_views import collective_panel

        register_case_panel(collective_panel)

        from sanxiang.catalog import calendar as catalog_calendar

        from . import calendar

        catalog_calendar.register_recomputer(calendar.recompute_for_year)
        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)
        reconcile.register_triggers("review", state.expected_triggers)

        from sanxiang.lib import orphans

        orphans.register(opinion.OBJECT_PREFIX, opinion.referenced_objects)

        from sanxiang.workbench import inbox, notifications

        from . import inbox as inbox_sources

        inbox.register_all(inbox_sources.SOURCES)
        notifications.register_rules(inbox_sources.NOTICES)
