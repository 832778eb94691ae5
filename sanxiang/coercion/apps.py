from django.apps import AppConfig


class CoercionConfig(AppConfig):
    name = "sanxiang.coercion"
    label = "coercion"
    verbose_name = "行政强制措施"

    def ready(self) -> None:
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.documents.queries import register_sheet_text
        from sanxiang.ledger import reconcile, registry
        from sanxiang.procedures import engine

        from . import guards, panels, queries
        from . import reconcile as state
        from .events import EVENT_TYPES

        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)
        engine.register_guard(guards.reported_before_approval)
        engine.register_guard(guards.ended_before_closing)
        register_case_panel(panels.coercion_panel)
        # 行政强制法 第24条: the decision and its 清单 print the items entered on the case.
        for kind in ("seizure_decision", "seizure_inventory"):
            register_sheet_text(
                kind,
                queries.items_text,
                required="制发查封扣押决定书和清单前，须先登记查封、扣押的场所、设施或者财物的名称、"
                "数量等（行政强制法 第24条第2款第（三）项）。",
            )
        register_sheet_text(
            "seizure_extension",
            queries.extension_text,
            required="制发《延长查封扣押期限决定书》前，须经负责人批准延长并写明理由"
            "（行政强制法 第25条）。",
        )
        register_sheet_text(
            "seizure_release",
            queries.release_text,
            required="制发《解除查封扣押决定书》前，须先登记解除的理由（行政强制法 第28条）。",
        )
        register_sheet_text(
            "on_spot_report",
            queries.report_text,
            required="制发《当场实施行政强制措施报告》前，须先登记当场实施的时间和紧急事由"
            "（行政强制法 第19条）。",
        )
