from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sanxiang.catalog"
    label = "catalog"
    verbose_name = "执法事项"

    def ready(self) -> None:
        from django.conf import settings

        from sanxiang.ledger import registry
        from sanxiang.lib import workdays
        from sanxiang.workbench import panels as workbench_panels

        from .events import EVENT_TYPES
        from .panels import recomputed_deadlines
        from .services import load_overrides

        # The pure calendar reads the admin-edited override table through this loader.
        workdays.set_override_loader(load_overrides)
        workdays.set_provisional_horizon(settings.SANXIANG_CALENDAR_PROVISIONAL_YEARS)
        workbench_panels.register(recomputed_deadlines)
        registry.register(*EVENT_TYPES)
