from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "sanxiang.ledger"
    label = "ledger"
    verbose_name = "全过程记录账本"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deploy check of the database role
            reconcile,
            tasks,  # noqa: F401 - registers the recurring integration and checkpoints
            triggers,
        )

        reconcile.register_triggers("ledger", triggers.expected)
