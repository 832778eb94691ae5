from django.apps import AppConfig


class ApplicantConfig(AppConfig):
    name = "sanxiang.applicant"
    label = "applicant"
    verbose_name = "当事人服务"

    def ready(self) -> None:
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.ledger import registry

        from . import tasks  # noqa: F401 - registers the hourly prune of progress tries
        from .events import EVENT_TYPES
        from .panels import party_links_panel

        register_case_panel(party_links_panel)
        registry.register(*EVENT_TYPES)
        self._wire()

    def _wire(self) -> None:
        from sanxiang.cases import order
        from sanxiang.cases.panels import register_case_panel
        from sanxiang.documents.guards import register_delivery_evidence
        from sanxiang.documents.queries import register_sheet_text
        from sanxiang.ledger import reconcile
        from sanxiang.procedures import engine
        from sanxiang.workbench import inbox

        from . import delivery, panels, supplements
        from . import reconcile as state
        from .inbox import SOURCES

        # The decision guard reads the party's own online answers (cases/order.py).
        order.register_party_answer("applicant.defence_submitted", "statement")
        order.register_party_answer("applicant.hearing_requested", "hearing_request")
        engine.register_guard(supplements.guard)
        engine.register_after_transition(supplements.after_transition)
        register_sheet_text("supplement_notice", supplements.notice_text)
        register_case_panel(panels.application_panel)
        inbox.register_all(SOURCES)
        # A document delivered electronically needs no paper 送达回证 before the step it guards,
        # so verify_ledger checks those deliveries against their entries.
        register_delivery_evidence(delivery.delivered_document_ids)
        reconcile.register(state.RECONCILER)
        reconcile.register(state.BINDING_RECONCILER)
