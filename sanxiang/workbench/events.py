"""The ledger event types the workbench writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (EventType("workbench.email_notifications_set", "设置邮件通知", timeline=False),)
