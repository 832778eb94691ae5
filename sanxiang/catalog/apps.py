from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sanxiang.catalog"
    label = "catalog"
    verbose_name = "执法事项"

    def ready(self) -> None:
        from sanxiang.lib import workdays

        from .services import load_overrides

        # The pure calendar reads the admin-edited override table through this loader.
        workdays.set_override_loader(load_overrides)
