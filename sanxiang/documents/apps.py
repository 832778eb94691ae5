from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "sanxiang.documents"
    label = "documents"
    verbose_name = "文书"

    def ready(self) -> None:
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.ledger import reconcile, registry
        from sanxiang.procedures import engine

        from . import checks  # noqa: F401 - registers the deploy check of the seals
        from . import reconcile as state
        from .events import EVENT_TYPES
        from .guards import complete_file, required_documents
        from .panels import case_documents_panel

        engine.register_guard(required_documents)
        engine.register_guard(complete_file)
        from sanxiang.cases.hearings import notice_text
        from sanxiang.cases.transfers import transfer_text

        from .queries import register_sheet_text

        # 行政处罚法 第64条: the 听证通知书 prints the schedule entered through cases.hearings.
        register_sheet_text(
            "hearing_summons",
            notice_text,
            required="制发《听证通知书》前须先安排听证的时间、地点和主持人（行政处罚法 第64条）。",
        )
        register_sheet_text(
            "case_transfer",
            transfer_text,
            required="制发《案件移送书》前须先写明接收机关和移送理由（行政处罚法 第27条）。",
        )
        from sanxiang.cases.no_penalty import no_penalty_text

        # 行政处罚法 第57条第1款第（二）（三）项: the 不予行政处罚决定书 states its ground (h10a).
        register_sheet_text(
            "no_penalty_decision",
            no_penalty_text,
            required="制发《不予行政处罚决定书》前须先拟定不予处罚的情形和理由"
            "（行政处罚法 第30条、第31条、第33条、第36条、第57条）。",
        )
        register_case_panel(case_documents_panel)
        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)
        reconcile.register(state.STEP_RECONCILER)

        from sanxiang.lib import orphans

        from .services import OBJECT_PREFIX, referenced_objects

        orphans.register(OBJECT_PREFIX, referenced_objects)
