from django.apps import AppConfig


class ApplicantConfig(AppConfig):
    name = "sanxiang.applicant"
    label = "applicant"
    verbose_name = "当事人服务"

    def ready(self) -> None:
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.ledger import registry

        from .events import EVENT_TYPES
        from .panels import party_links_panel

        register_case_panel(party_links_panel)
        registry.register(*EVENT_TYPES)
