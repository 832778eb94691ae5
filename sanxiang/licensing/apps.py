from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "sanxiang.licensing"
    label = "licensing"
    verbose_name = "行政许可证件"

    def ready(self) -> None:
        from sanxiang.cases import snapshots
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.documents.queries import register_sheet_text
        from sanxiang.ledger import reconcile, registry
        from sanxiang.procedures import engine

        from . import guards, panels, queries
        from . import reconcile as state
        from .events import EVENT_TYPES

        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)
        engine.register_guard(guards.terms_before_grant)
        register_case_panel(panels.case_licence_terms)
        snapshots.register_section(queries.SECTION, queries.snapshot_section)
        register_sheet_text("licence_grant", queries.grant_paragraph)
        # 行政许可法 第42条: the notice prints the extension the head approved (cases app).
        register_sheet_text(
            "licence_extension_notice",
            queries.extension_paragraph,
            required="制发《延长行政许可期限通知书》前，须经负责人批准延长并写明理由"
            "（行政许可法 第42条）。",
        )
