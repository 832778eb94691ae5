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
        register_case_panel(case_documents_panel)
        registry.register(*EVENT_TYPES)
        reconcile.register(state.RECONCILER)

        from sanxiang.lib import orphans

        from .services import OBJECT_PREFIX, referenced_objects

        orphans.register(OBJECT_PREFIX, referenced_objects)
