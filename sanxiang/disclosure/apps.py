from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "sanxiang.disclosure"
    label = "disclosure"
    verbose_name = "公示"

    def ready(self) -> None:
        from sanxiang.procedures import engine
        from sanxiang.workbench import panels

        from . import hooks
        from . import panels as disclosure_panels

        engine.register_after_transition(hooks.queue_decision)
        panels.register(disclosure_panels.publications_due)
