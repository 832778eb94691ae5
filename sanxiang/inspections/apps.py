from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "sanxiang.inspections"
    label = "inspections"
    verbose_name = "双随机、一公开"

    def ready(self) -> None:
        from sanxiang.disclosure import queries as disclosure_queries
        from sanxiang.disclosure import report
        from sanxiang.ledger import reconcile, registry
        from sanxiang.workbench import inbox
        from sanxiang.workbench import panels as workbench_panels

        from . import inbox as inbox_sources
        from . import reconcile as state
        from . import tasks  # noqa: F401 - registers the recurring draw
        from .events import EVENT_TYPES
        from .panels import inspections_due
        from .publication import queue_rows, report_rows

        registry.register(*EVENT_TYPES)
        report.register_inspection_rows(report_rows)  # the 年报 counts 双随机、一公开
        disclosure_queries.register_clock_source(queue_rows)  # 公示管理 lists them
        reconcile.register(state.RECONCILER)
        workbench_panels.register(inspections_due)
        inbox.register_all(inbox_sources.SOURCES)
