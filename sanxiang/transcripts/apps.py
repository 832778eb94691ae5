from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "sanxiang.transcripts"
    label = "transcripts"
    verbose_name = "笔录"

    def ready(self) -> None:
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.ledger import reconcile, registry

        from . import reconcile as state
        from . import triggers
        from .events import EVENT_TYPES
        from .panels import case_transcripts_panel

        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)
        reconcile.register_triggers("transcripts", triggers.expected)
        register_case_panel(case_transcripts_panel)
